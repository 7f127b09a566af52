package dev.signagefleet.telemetry.connectivity;

import java.util.Locale;

/** Whether a terminal is reachable, as the fleet sees it. */
public enum Connectivity {
    /** Registered, never heard from. */
    NEVER_SEEN,
    /** Reported within the last two heartbeats, or said "online". */
    ONLINE,
    /** Silent for two heartbeats: probably a network problem. */
    STALE,
    /** Silent for three heartbeats, its Last Will arrived, or it shut down cleanly. */
    OFFLINE;

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Connectivity fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Parses an API value such as {@code offline}; null when it is not one. */
    public static Connectivity parseOrNull(String value) {
        for (Connectivity c : values()) {
            if (c.dbValue().equalsIgnoreCase(value)) {
                return c;
            }
        }
        return null;
    }
}
