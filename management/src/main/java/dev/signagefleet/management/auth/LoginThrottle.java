package dev.signagefleet.management.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing: after {@value #FREE_FAILURES_PER_USER} failed attempts for a
 * username from one address, or {@value #FREE_FAILURES_PER_ADDRESS} from one address for any users
 * (offices share an address), further attempts from that address are refused for a delay that
 * doubles with each failure (capped at 15 minutes). Keying on the address too means a stranger
 * guessing at {@code admin} locks out only themselves, not the admin working elsewhere. A success
 * clears that user's record for that address.
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

    public void succeeded(String username, String address) {
        failures.remove(userKey(username, address));
    }

    private static String userKey(String username, String address) {
        return "user:" + username + "@" + address;
    }

    private static String[] keys(String username, String address) {
        return new String[] {userKey(username, address), "ip:" + address};
    }
}
