package dev.signagefleet.agent.connection;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in
 * [0, min(cap, base·2^(n-1))], at least a millisecond. The randomness spreads a fleet that lost
 * its broker at the same moment, so the terminals do not all come back at the same moment.
 */
public final class Backoff {

    /** Never retry in a busy loop, even when the draw is zero. */
    static final Duration MIN_WAIT = Duration.ofMillis(1);

    private final Duration base;
    private final Duration cap;
    private final RandomGenerator random;

    public Backoff(Duration base, Duration cap, RandomGenerator random) {
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("base must be positive, was " + base);
        }
        if (cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("cap " + cap + " must not be below base " + base);
        }
        this.base = base;
        this.cap = cap;
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The longest wait before attempt {@code attempt} (1-based): base·2^(attempt-1), capped. */
    public Duration ceiling(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt starts at 1, was " + attempt);
        }
        int shift = Math.min(attempt - 1, 62);
        long baseMillis = base.toMillis();
        // compare before shifting so that a large attempt number cannot overflow into a short wait
        if (baseMillis > (cap.toMillis() >> shift)) {
            return cap;
        }
        return Duration.ofMillis(Math.min(cap.toMillis(), baseMillis << shift));
    }

    /** A random wait in [1 ms, ceiling(attempt)]. */
    public Duration delay(int attempt) {
        long ceiling = ceiling(attempt).toMillis();
        return Duration.ofMillis(Math.max(MIN_WAIT.toMillis(), random.nextLong(ceiling + 1)));
    }
}
