package dev.signagefleet.management.alerts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * A raised alert as receivers and the console see it.
 *
 * @param ruleId      null for a test alert, or when its rule was deleted since
 * @param kind        an {@link AlertKind} value, or {@value #TEST_KIND}
 * @param subject     a device id, an upload id, {@value #STORM_SUBJECT} or {@value #TEST_KIND}
 * @param group       the rule's group filter, or null
 * @param deviceCount how many devices the alert is about (more than {@code deviceIds} holds for a big storm)
 * @param deviceIds   the devices, at most {@value #MAX_LISTED_DEVICES}
 */
public record Alert(long id, Long ruleId, String kind, String subject, String group, int deviceCount,
                    List<String> deviceIds, String message, Instant raisedAt) {

    public static final String TEST_KIND = "test";
    public static final String STORM_SUBJECT = "storm";
    /** A storm alert names this many devices; the rest are counted (a receiver's message must stay readable). */
    public static final int MAX_LISTED_DEVICES = 50;

    public boolean storm() {
        return STORM_SUBJECT.equals(subject);
    }

    /** Reads the columns of {@code alerts} (aliased {@code a}, names unprefixed). */
    static Alert read(ResultSet rs) throws SQLException {
        long ruleId = rs.getLong("rule_id");
        Long rule = rs.wasNull() ? null : ruleId;
        java.sql.Array ids = rs.getArray("device_ids");
        List<String> devices = ids == null ? List.of() : List.of((String[]) ids.getArray());
        return new Alert(rs.getLong("id"), rule, rs.getString("kind"), rs.getString("subject"), rs.getString("group_name"),
                rs.getInt("device_count"), devices, rs.getString("message"), rs.getTimestamp("raised_at").toInstant());
    }
}
