package dev.signagefleet.management.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing: after {@value #FREE_FAILURES_PER_USER} failed attempts for a
 * username, or {@value #FREE_FAILURES_PER_ADDRESS} from one address (offices share an address),
 * further attempts are refused for a delay that doubles with each failure (capped at 15 minutes).
 * A success clears the username's record.
 */
public final class LoginThrottle {

    static final int FREE_FAILURES_PER_USER = 5;
    static final int FREE_FAILURES_PER_ADDRESS = 20;
    private static final Duration FIRST_DELAY = Duration.ofSeconds(2);
    private static final Duration MAX_DELAY = Duration.ofMinutes(15);
    private static final Duration FORGET_AFTER = Duration.ofHours(1);

    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    private record Failures(int count, Instant last, Instant lockedUntil) {
    }

    /** How long the caller must wait before trying again, if it must. */
    public Optional<Duration> retryAfter(String username, String address) {
        Instant now = clock.instant();
        Duration longest = Duration.ZERO;
        for (String key : keys(username, address)) {
            Failures f = failures.get(key);
            if (f != null && f.lockedUntil() != null && f.lockedUntil().isAfter(now)) {
                Duration wait = Duration.between(now, f.lockedUntil());
                if (wait.compareTo(longest) > 0) {
                    longest = wait;
                }
            }
        }
        return longest.isZero() ? Optional.empty() : Optional.of(longest);
    }

    public void failed(String username, String address) {
        Instant now = clock.instant();
        if (failures.size() > 100_000) {
            failures.entrySet().removeIf(e -> e.getValue().last().plus(FORGET_AFTER).isBefore(now));
        }
        for (String key : keys(username, address)) {
            failures.compute(key, (k, f) -> {
                int count = f == null || f.last().plus(FORGET_AFTER).isBefore(now) ? 1 : f.count() + 1;
                Instant lockedUntil = null;
                int free = k.startsWith("ip:") ? FREE_FAILURES_PER_ADDRESS : FREE_FAILURES_PER_USER;
                if (count >= free) {
                    long factor = 1L << Math.min(count - free, 12);
                    Duration delay = FIRST_DELAY.multipliedBy(factor);
                    lockedUntil = now.plus(delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay);
                }
                return new Failures(count, now, lockedUntil);
            });
        }
    }

    public void succeeded(String username) {
        failures.remove("user:" + username);
    }

    private static String[] keys(String username, String address) {
        return new String[] {"user:" + username, "ip:" + address};
    }
}
