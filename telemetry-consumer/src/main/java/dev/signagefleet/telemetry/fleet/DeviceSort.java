package dev.signagefleet.telemetry.fleet;

import java.util.Locale;

/**
 * Orders of the device list. Each is a key plus the device id as tie-breaker, which is what the
 * keyset cursor remembers.
 *
 * @param key        the API name, e.g. {@code lastSeen}
 * @param descending {@code -lastSeen} in the API
 */
public record DeviceSort(Key key, boolean descending) {

    public static final DeviceSort DEFAULT = new DeviceSort(Key.DEVICE_ID, false);

    /** The sortable columns and how they compare in SQL (never null, so keyset comparison works). */
    public enum Key {
        DEVICE_ID("deviceId", "d.device_id", "text", "d.device_id"),
        GROUP("group", "coalesce(s.group_name, '')", "text", "s.device_id"),
        CONNECTIVITY("connectivity", "s.connectivity", "text", "s.device_id"),
        LAST_SEEN("lastSeen", "coalesce(s.last_seen_at, '-infinity'::timestamptz)", "timestamptz", "s.device_id"),
        AGENT_VERSION("agentVersion", "coalesce(s.agent_version, '')", "text", "s.device_id"),
        CONTENT_VERSION("contentVersion", "coalesce(s.content_version, '')", "text", "s.device_id");

        final String apiName;
        final String sql;
        final String sqlType;
        /**
         * The device id of the key's table (equal to the other, the tables are joined on it): the keyset
         * cursor compares (key, id) as one row, which PostgreSQL can only match to an index of one table
         * (V14: the sort indexes end with the device id).
         */
        final String idSql;

        Key(String apiName, String sql, String sqlType, String idSql) {
            this.apiName = apiName;
            this.sql = sql;
            this.sqlType = sqlType;
            this.idSql = idSql;
        }

        public String apiName() {
            return apiName;
        }
    }

    /** Parses {@code lastSeen} or {@code -lastSeen}; null when the key is unknown. */
    public static DeviceSort parseOrNull(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        boolean desc = value.startsWith("-");
        String name = desc ? value.substring(1) : value;
        for (Key key : Key.values()) {
            if (key.apiName.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                return new DeviceSort(key, desc);
            }
        }
        return null;
    }

    public String apiValue() {
        return (descending ? "-" : "") + key.apiName;
    }

    /** Allowed values for error messages. */
    public static String allowed() {
        StringBuilder b = new StringBuilder();
        for (Key key : Key.values()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(key.apiName);
        }
        return b + " (prefix with - for descending)";
    }
}
