package dev.signagefleet.common.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (a random wait between zero and the capped exponential),
 * so that many clients retrying after one outage spread out instead of arriving together.
 */
public final class Backoff {

    private final Duration base;
    private final Duration cap;
    private final RandomGenerator random;

    public Backoff(Duration base, Duration cap, RandomGenerator random) {
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("base must be positive");
        }
        if (cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("cap must not be below base");
        }
        this.base = base;
        this.cap = cap;
        this.random = Objects.requireNonNull(random, "random");
    }

    public Backoff(Duration base, Duration cap) {
        this(base, cap, RandomGenerator.getDefault());
    }

    /** The ceiling for attempt {@code n} (1-based): base × 2^(n-1), capped. */
    public Duration ceiling(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt starts at 1");
        }
        int shift = Math.min(attempt - 1, 30);
        long millis = base.toMillis() << shift;
        if (millis <= 0 || millis > cap.toMillis()) {
            return cap;
        }
        return Duration.ofMillis(millis);
    }

    /** A random wait in [0, ceiling(attempt)], never less than one millisecond. */
    public Duration delay(int attempt) {
        long ceiling = ceiling(attempt).toMillis();
        return Duration.ofMillis(Math.max(1, random.nextLong(ceiling + 1)));
    }
}
