package dev.signagefleet.telemetry.fleet;

import java.time.Duration;
import java.util.Locale;

/**
 * Whether a terminal shows its group's current content: in sync, pending (the version became current
 * only moments ago, the terminal is probably downloading), out of sync (longer than that), or none
 * (nothing assigned to its group yet).
 */
public enum ContentSync {
    IN_SYNC("s.content_version = cc.version"),
    PENDING("cc.version IS NOT NULL AND s.content_version IS DISTINCT FROM cc.version AND NOT " + ContentSync.JUDGED_FOR_CURRENT),
    OUT_OF_SYNC("cc.version IS NOT NULL AND s.content_version IS DISTINCT FROM cc.version AND " + ContentSync.JUDGED_FOR_CURRENT),
    NONE("cc.version IS NULL");

    /** Terminals get this long to switch to a new version before they count as out of sync. */
    public static final Duration DEFAULT_PENDING_GRACE = Duration.ofMinutes(2);

    /**
     * The sweep judged the device out of sync, and that judgement stands for the group's current version:
     * it was made after that version became current, or that version's grace is over (a device judged
     * out of sync on an older version gets the grace again when a new one arrives). Binds {@code :pendingSince}.
     */
    private static final String JUDGED_FOR_CURRENT = "(s.content_out_of_sync_since IS NOT NULL"
            + " AND (s.content_out_of_sync_since >= cc.registered_at OR cc.registered_at <= :pendingSince))";

    /**
     * The state as the fleet shows it, as SQL over {@code s} (device_state) and {@code cc}
     * (current_content); binds {@code :pendingSince} (now minus the grace). "Out of sync" is what the
     * content sync sweep decided and announced ({@code content_out_of_sync_since}, set once the grace is
     * over): until the sweep has judged a device that still shows another version, it is pending. So
     * the list, its filter, the summary and the announced events agree, and the filter uses an index (the
     * few judged devices) instead of judging every device.
     */
    public static final String SQL = """
            (CASE WHEN cc.version IS NULL THEN 'none'
                  WHEN s.content_version = cc.version THEN 'in_sync'
                  WHEN %s THEN 'out_of_sync'
                  ELSE 'pending' END)""".formatted(JUDGED_FOR_CURRENT);

    /**
     * The state as the sweep judges it, from the versions and the time alone; binds {@code :pendingSince}
     * (now minus the grace). Only the sweep decides with it (and the alert engine confirms with it).
     */
    public static final String JUDGED_SQL = """
            (CASE WHEN cc.version IS NULL THEN 'none'
                  WHEN s.content_version = cc.version THEN 'in_sync'
                  WHEN cc.registered_at > :pendingSince THEN 'pending'
                  ELSE 'out_of_sync' END)""";

    /** This state as a condition over {@code s} and {@code cc}, equal to {@code SQL = this}, written so indexes can serve it. */
    final String condition;

    ContentSync(String condition) {
        this.condition = condition;
    }

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
