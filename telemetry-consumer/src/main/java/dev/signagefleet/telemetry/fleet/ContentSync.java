package dev.signagefleet.telemetry.fleet;

import java.time.Duration;
import java.util.Locale;

/**
 * Whether a terminal shows its group's current content: in sync, pending (the version became current
 * only moments ago, the terminal is probably downloading), out of sync (longer than that), or none
 * (nothing assigned to its group yet).
 */
public enum ContentSync {
    IN_SYNC,
    PENDING,
    OUT_OF_SYNC,
    NONE;

    /** Terminals get this long to switch to a new version before they count as out of sync. */
    public static final Duration DEFAULT_PENDING_GRACE = Duration.ofMinutes(2);

    /** The state as SQL over {@code s} (device_state) and {@code cc} (current_content); binds {@code :pendingSince}. */
    public static final String SQL = """
            (CASE WHEN cc.version IS NULL THEN 'none'
                  WHEN s.content_version = cc.version THEN 'in_sync'
                  WHEN cc.registered_at > :pendingSince THEN 'pending'
                  ELSE 'out_of_sync' END)""";

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses an API value such as {@code out_of_sync}; null when it is not one. */
    public static ContentSync parseOrNull(String value) {
        for (ContentSync c : values()) {
            if (c.dbValue().equalsIgnoreCase(value)) {
                return c;
            }
        }
        return null;
    }
}
