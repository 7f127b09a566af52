package dev.signagefleet.management.alerts;

import dev.signagefleet.common.db.Columns;
import dev.signagefleet.telemetry.connectivity.ConnectivityChange;
import dev.signagefleet.telemetry.fleet.ContentSync;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the enabled alert rules against the fleet and the uploads and raises what is new. Each
 * condition is raised once: an offline or out-of-sync period by the time it began, a return online
 * by its event, a failed upload by its id. When more than {@code stormThreshold} devices qualify for
 * one rule in one round, they arrive as one grouped alert (count + the first 50 ids), and each of
 * them is still marked as alerted so none is raised again on its own.
 *
 * <p>Safe with several instances: each rule is evaluated in its own transaction under a
 * transaction-scoped advisory lock, so one instance evaluates a rule at a time (another skips it
 * for that round); the unique dedup key guards the rest.
 */
public final class AlertEngine {

    private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);

    /** Advisory lock space of alert rules (the key is the rule id). */
    private static final int RULE_LOCK = 1_701_000_010;
    /** Bounds one round; whatever is left is raised in the next one (as another storm if it is big). */
    static final int ROUND_LIMIT = 10_000;
    /**
     * Events and failed uploads older than this are not raised: after an engine outage of more than
     * a day, an operator learns nothing from a flood of stale alerts.
     */
    static final Duration LOOKBACK = Duration.ofDays(1);
    /** Ids named in a storm alert's message (all of the first 50 are in the webhook's {@code devices}). */
    private static final int IDS_IN_MESSAGE = 10;
    private static final int MAX_REASON = 500;

    private static final String TURN = "SELECT pg_try_advisory_xact_lock(:space, CAST(:rule % 2147483647 AS integer))";
    private static final String GROUP_FILTER = "(CAST(:group AS text) IS NULL OR d.group_name = CAST(:group AS text))";
    private static final String NOT_ALERTED = """
            NOT EXISTS (SELECT 1 FROM alerted_devices x
                        WHERE x.rule_id = :rule AND x.device_id = s.device_id AND x.since = %s)""";

    private static final String OFFLINE = """
            SELECT s.device_id, d.group_name, s.connectivity_since AS since, s.connectivity_reason AS detail
            FROM device_state s JOIN devices d USING (device_id)
            WHERE s.connectivity = 'offline' AND s.connectivity_since <= :heldSince
              AND %s AND %s
            ORDER BY s.connectivity_since, s.device_id
            LIMIT :limit
            """.formatted(GROUP_FILTER, NOT_ALERTED.formatted("s.connectivity_since"));

    // The telemetry consumer decides when a device is out of sync (content_out_of_sync_since, set
    // after the pending grace); the fleet's own ContentSync rule confirms it still is. Offline and
    // never-seen devices are left out: missing new content is what being offline means, and they
    // are alerted as offline. Once such a device is back and still out of sync, it is raised.
    private static final String OUT_OF_SYNC = """
            SELECT s.device_id, d.group_name, s.content_out_of_sync_since AS since, s.content_version,
                   s.content_error, cc.version AS expected
            FROM devices d JOIN device_state s USING (device_id)
            LEFT JOIN current_content cc ON cc.group_name = d.group_name
            WHERE s.content_out_of_sync_since IS NOT NULL AND s.content_out_of_sync_since <= :heldSince
              AND %s = 'out_of_sync'
              AND s.connectivity NOT IN ('offline', 'never_seen')
              AND %s AND %s
            ORDER BY s.content_out_of_sync_since, s.device_id
            LIMIT :limit
            """.formatted(ContentSync.JUDGED_SQL, GROUP_FILTER, NOT_ALERTED.formatted("s.content_out_of_sync_since"));

    // The first online event after an offline period that some offline rule alerted about; marked
    // with the offline period's start, so one period gives one "back online" per rule.
    private static final String BACK_ONLINE = """
            SELECT DISTINCT ON (s.device_id, m.since)
                   s.device_id, d.group_name, m.since, e.event_id, e.occurred_at
            FROM device_events e
            JOIN devices d ON d.device_id = e.device_id
            JOIN device_state s ON s.device_id = e.device_id
            JOIN LATERAL (SELECT a.since FROM alerted_devices a
                          WHERE a.device_id = e.device_id AND a.kind = 'device_offline' AND a.since <= e.occurred_at
                          ORDER BY a.since DESC LIMIT 1) m ON true
            WHERE e.type = :type AND e.occurred_at > :after AND e.occurred_at <= :now
              AND %s AND %s
            ORDER BY s.device_id, m.since, e.occurred_at, e.event_id
            LIMIT :limit
            """.formatted(GROUP_FILTER, NOT_ALERTED.formatted("m.since"));

    private static final String FAILED_UPLOADS = """
            SELECT u.upload_id, u.filename, u.reason, u.correlation_id, u.updated_at
            FROM uploads u
            WHERE u.status = 'FAILED' AND u.created_at >= :ruleCreated AND u.updated_at > :after
              AND (CAST(:group AS text) IS NULL OR CAST(:group AS text) = ANY(u.groups))
              AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.dedup_key = :keyPrefix || u.upload_id::text)
            ORDER BY u.updated_at, u.upload_id
            LIMIT :limit
            """;

    private final Jdbi jdbi;
    private final Clock clock;
    private final Alerts alerts;
    private final int stormThreshold;

    /** @param stormThreshold more devices than this for one rule in one round become one grouped alert */
    public AlertEngine(Jdbi jdbi, Clock clock, Alerts alerts, int stormThreshold) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.alerts = alerts;
        this.stormThreshold = stormThreshold;
    }

    /** A device whose condition holds. */
    private record Condition(String deviceId, String group, Instant since, String detail) {
    }

    /** One round over every enabled rule; returns how many alerts it raised. */
    public int runOnce() {
        Instant now = clock.instant();
        int raised = 0;
        for (AlertRule rule : alerts.enabledRules()) {
            try {
                raised += jdbi.inTransaction(h -> {
                    boolean mine = h.createQuery(TURN).bind("space", RULE_LOCK).bind("rule", rule.id())
                            .mapTo(Boolean.class).one();
                    return mine ? evaluate(h, rule, now) : 0;
                });
            } catch (RuntimeException e) {
                // One broken rule must not silence the others; it is tried again next round.
                log.error("Alert rule {} ({}) could not be evaluated; it is tried again in the next round", rule.id(),
                        rule.kind().dbValue(), e);
            }
        }
        return raised;
    }

    private int evaluate(Handle h, AlertRule rule, Instant now) {
        return switch (rule.kind()) {
            case DEVICE_OFFLINE -> raiseForDevices(h, rule, now, offline(h, rule, now));
            case DEVICE_ONLINE -> raiseForDevices(h, rule, now, backOnline(h, rule, now));
            case CONTENT_OUT_OF_SYNC -> raiseForDevices(h, rule, now, outOfSync(h, rule, now));
            case UPLOAD_FAILED -> raiseFailedUploads(h, rule, now);
        };
    }

    private List<Condition> offline(Handle h, AlertRule rule, Instant now) {
        return h.createQuery(OFFLINE)
                .bind("heldSince", Timestamp.from(now.minus(rule.threshold())))
                .bind("group", rule.group())
                .bind("rule", rule.id())
                .bind("limit", ROUND_LIMIT)
                .map((rs, ctx) -> {
                    String reason = rs.getString("detail");
                    return condition(rs, reason == null ? null : "reason: " + reason);
                })
                .list();
    }

    private List<Condition> outOfSync(Handle h, AlertRule rule, Instant now) {
        return h.createQuery(OUT_OF_SYNC)
                .bind("heldSince", Timestamp.from(now.minus(rule.threshold())))
                .bind("pendingSince", Timestamp.from(now.minus(ContentSync.DEFAULT_PENDING_GRACE)))
                .bind("group", rule.group())
                .bind("rule", rule.id())
                .bind("limit", ROUND_LIMIT)
                .map((rs, ctx) -> {
                    String shown = rs.getString("content_version");
                    String error = rs.getString("content_error");
                    return condition(rs, "it shows " + (shown == null ? "no content" : shown) + ", its group's version is "
                            + rs.getString("expected") + (error == null ? "" : "; the device says: " + error));
                })
                .list();
    }

    private List<Condition> backOnline(Handle h, AlertRule rule, Instant now) {
        Instant after = now.minus(LOOKBACK).isAfter(rule.createdAt()) ? now.minus(LOOKBACK) : rule.createdAt();
        return h.createQuery(BACK_ONLINE)
                .bind("type", ConnectivityChange.ONLINE_TYPE)
                .bind("after", Timestamp.from(after))
                .bind("now", Timestamp.from(now))
                .bind("group", rule.group())
                .bind("rule", rule.id())
                .bind("limit", ROUND_LIMIT)
                .map((rs, ctx) -> condition(rs, "online again at " + Columns.instant(rs, "occurred_at")))
                .list();
    }

    private static Condition condition(ResultSet rs, String detail) throws SQLException {
        return new Condition(rs.getString("device_id"), rs.getString("group_name"), Columns.instant(rs, "since"), detail);
    }

    private int raiseForDevices(Handle h, AlertRule rule, Instant now, List<Condition> conditions) {
        if (conditions.isEmpty()) {
            return 0;
        }
        if (conditions.size() > stormThreshold) {
            return alerts.raise(h, storm(rule, conditions), now).map(id -> {
                log.warn("Alert {}: {} devices at once for rule {} ({}); raised as one grouped alert", id,
                        conditions.size(), rule.id(), rule.kind().dbValue());
                return 1;
            }).orElse(0);
        }
        int raised = 0;
        for (Condition c : conditions) {
            Optional<Long> id = alerts.raise(h, single(rule, c), now);
            raised += id.isPresent() ? 1 : 0;
        }
        return raised;
    }

    private static Alerts.NewAlert single(AlertRule rule, Condition c) {
        String where = c.group() == null ? "" : " (group " + c.group() + ")";
        String message = switch (rule.kind()) {
            case DEVICE_OFFLINE -> "Device " + c.deviceId() + where + " has been offline since " + c.since()
                    + (c.detail() == null ? "" : "; " + c.detail()) + ".";
            case DEVICE_ONLINE -> "Device " + c.deviceId() + where + " is back online after being offline since "
                    + c.since() + "; " + c.detail() + ".";
            case CONTENT_OUT_OF_SYNC -> "Device " + c.deviceId() + where
                    + " has been out of sync with its group's content since " + c.since() + ": " + c.detail() + ".";
            case UPLOAD_FAILED -> throw new IllegalArgumentException("uploads are not device conditions");
        };
        String key = "rule:" + rule.id() + ":" + rule.kind().dbValue() + ":" + c.deviceId() + ":" + c.since();
        return new Alerts.NewAlert(rule.id(), rule.kind(), c.deviceId(), c.group(),
                List.of(new Alerts.AlertedDevice(c.deviceId(), c.since())), message, key);
    }

    private static Alerts.NewAlert storm(AlertRule rule, List<Condition> conditions) {
        String what = switch (rule.kind()) {
            case DEVICE_OFFLINE -> "devices offline for at least " + readable(rule.threshold());
            case DEVICE_ONLINE -> "devices back online";
            case CONTENT_OUT_OF_SYNC -> "devices out of sync with their group's content for at least "
                    + readable(rule.threshold());
            case UPLOAD_FAILED -> throw new IllegalArgumentException("uploads are not device conditions");
        };
        String named = conditions.stream().limit(IDS_IN_MESSAGE).map(Condition::deviceId).collect(Collectors.joining(", "));
        int more = conditions.size() - Math.min(IDS_IN_MESSAGE, conditions.size());
        String message = conditions.size() + " " + what + (rule.group() == null ? "" : " in group " + rule.group()) + ": "
                + named + (more > 0 ? " and " + more + " more" : "") + ".";
        List<Alerts.AlertedDevice> devices = new ArrayList<>();
        StringBuilder identity = new StringBuilder();
        for (Condition c : conditions) {
            devices.add(new Alerts.AlertedDevice(c.deviceId(), c.since()));
            identity.append(c.deviceId()).append('@').append(c.since()).append('\n');
        }
        // The same set of conditions always gives the same key (the rows come sorted).
        String key = "rule:" + rule.id() + ":" + rule.kind().dbValue() + ":storm:" + sha256(identity.toString());
        return new Alerts.NewAlert(rule.id(), rule.kind(), Alert.STORM_SUBJECT, rule.group(), devices, message, key);
    }

    private int raiseFailedUploads(Handle h, AlertRule rule, Instant now) {
        String keyPrefix = "rule:" + rule.id() + ":upload_failed:";
        Instant after = now.minus(LOOKBACK);
        List<Alerts.NewAlert> failed = h.createQuery(FAILED_UPLOADS)
                .bind("ruleCreated", Timestamp.from(rule.createdAt()))
                .bind("after", Timestamp.from(after))
                .bind("group", rule.group())
                .bind("keyPrefix", keyPrefix)
                .bind("limit", ROUND_LIMIT)
                .map((rs, ctx) -> {
                    String id = rs.getString("upload_id");
                    String file = rs.getString("filename");
                    String message = "Upload " + (file == null ? id : file + " (" + id + ")") + " failed (correlation id "
                            + rs.getString("correlation_id") + "): " + shorten(rs.getString("reason"));
                    return new Alerts.NewAlert(rule.id(), AlertKind.UPLOAD_FAILED, id, rule.group(), List.of(), message,
                            keyPrefix + id);
                })
                .list();
        int raised = 0;
        for (Alerts.NewAlert alert : failed) {
            raised += alerts.raise(h, alert, now).isPresent() ? 1 : 0;
        }
        return raised;
    }

    /** A reason may list many problems; the alert carries the start, the console's upload page has them all. */
    private static String shorten(String reason) {
        if (reason == null) {
            return "no reason recorded";
        }
        return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "…";
    }

    /** "90 s", "5 min", "2 h" for messages. */
    static String readable(Duration d) {
        long s = d.toSeconds();
        if (s % 3600 == 0 && s > 0) {
            return s / 3600 + " h";
        }
        if (s % 60 == 0 && s > 0) {
            return s / 60 + " min";
        }
        return s + " s";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is available in every JVM", e);
        }
    }
}
