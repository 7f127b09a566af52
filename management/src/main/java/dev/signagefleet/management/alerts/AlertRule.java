package dev.signagefleet.management.alerts;

import java.time.Duration;
import java.time.Instant;

/**
 * A rule: which condition raises an alert, for which group, after how long.
 *
 * @param group     only devices (or uploads) of this group; null for every group
 * @param threshold how long the condition must hold (offline, out of sync); null for the other kinds
 */
public record AlertRule(long id, AlertKind kind, String group, Duration threshold, boolean enabled, String createdBy,
                        Instant createdAt) {

    /** The threshold in whole minutes as the console shows it, or null. */
    public Long thresholdMinutes() {
        return threshold == null ? null : threshold.toMinutes();
    }
}
