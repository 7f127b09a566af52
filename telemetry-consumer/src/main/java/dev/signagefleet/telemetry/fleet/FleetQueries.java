package dev.signagefleet.telemetry.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signagefleet.common.json.Json;
import static dev.signagefleet.common.db.Columns.doubleOrNull;
import static dev.signagefleet.common.db.Columns.instant;
import static dev.signagefleet.common.db.Columns.longOrNull;
import dev.signagefleet.telemetry.connectivity.Connectivity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** Read side of the fleet: the questions operators ask (who is offline, what did X report). */
public final class FleetQueries {

    private static final String DEVICE_COLUMNS = """
            d.device_id, d.group_name, d.name, d.location, d.registered_at,
            s.connectivity, s.connectivity_reason, s.connectivity_since, s.last_seen_at,
            s.boot_id, s.seq, s.sent_at, s.received_at, s.agent_version, s.uptime_sec, s.cpu_load, s.mem_used_mb,
            s.mem_total_mb, s.disk_free_mb, s.temperature_c, s.display, s.content_version, s.content_error, s.ip, s.os,
            s.dropped_while_offline, cc.version AS expected_content, cc.registered_at AS expected_since,
            """ + ContentSync.SQL + " AS content_sync ";
    // current_content belongs to content-registry: the fleet reads which version each group should show.
    private static final String FROM = " FROM devices d JOIN device_state s USING (device_id)"
            + " LEFT JOIN current_content cc ON cc.group_name = d.group_name ";
    private static final String SEARCH = "(d.device_id || ' ' || coalesce(d.name, '') || ' ' || coalesce(d.location, '')) ILIKE :q";

    private final Jdbi jdbi;
    private final Clock clock;
    private final Duration pendingGrace;

    public FleetQueries(Jdbi jdbi) {
        this(jdbi, Clock.systemUTC(), ContentSync.DEFAULT_PENDING_GRACE);
    }

    /**
     * @param pendingGrace how long after a group's new version a terminal judged out of sync on an older
     *                     version counts as pending again (the sweep's grace)
     */
    public FleetQueries(Jdbi jdbi, Clock clock, Duration pendingGrace) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.pendingGrace = pendingGrace;
    }

    private Timestamp pendingSince() {
        return Timestamp.from(clock.instant().minus(pendingGrace));
    }

    public DevicePage list(DeviceQuery query) {
        Map<String, Object> binds = new LinkedHashMap<>();
        StringBuilder sql = select(query, binds);
        DeviceSort sort = query.sort();
        if (query.cursor() != null) {
            Cursor cursor = Cursor.decode(query.cursor(), sort);
            sql.append(" AND (").append(sort.key().sql).append(", ").append(sort.key().idSql).append(") ").append(sort.descending() ? "<" : ">")
                    .append(" (CAST(:afterKey AS ").append(sort.key().sqlType).append("), :afterId)");
            binds.put("afterKey", cursor.key());
            binds.put("afterId", cursor.deviceId());
        }
        orderBy(sql, sort);
        sql.append(" LIMIT :limit");
        binds.put("limit", query.limit() + 1);
        List<Row> rows = jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString());
            binds.forEach(q::bind);
            return q.map((rs, ctx) -> new Row(device(rs), sortKey(rs, sort))).list();
        });
        String next = null;
        if (rows.size() > query.limit()) {
            rows = rows.subList(0, query.limit());
            Row last = rows.get(rows.size() - 1);
            next = new Cursor(sort.apiValue(), last.sortKey(), last.device().deviceId()).encode();
        }
        return new DevicePage(rows.stream().map(Row::device).toList(), next);
    }

    /**
     * Every device matching the filters (cursor and limit ignored), in the query's order, read by one
     * statement so the result is one consistent snapshot; rows are fetched in chunks, not all at once.
     *
     * @return how many devices were passed to {@code each}
     */
    public int forEach(DeviceQuery query, java.util.function.Consumer<DeviceView> each) {
        Map<String, Object> binds = new LinkedHashMap<>();
        StringBuilder sql = select(query, binds);
        orderBy(sql, query.sort());
        return jdbi.inTransaction(h -> {
            Query q = h.createQuery(sql.toString());
            binds.forEach(q::bind);
            int[] count = {0};
            q.setFetchSize(500).map((rs, ctx) -> device(rs)).useStream(stream -> stream.forEach(d -> {
                each.accept(d);
                count[0]++;
            }));
            return count[0];
        });
    }

    private StringBuilder select(DeviceQuery query, Map<String, Object> binds) {
        StringBuilder sql = new StringBuilder("SELECT ").append(DEVICE_COLUMNS).append(FROM).append("WHERE true");
        binds.put("pendingSince", pendingSince());
        if (!query.contentSync().isEmpty()) {
            sql.append(query.contentSync().stream().distinct().map(c -> "(" + c.condition + ")")
                    .collect(Collectors.joining(" OR ", " AND (", ")")));
        }
        if (query.connectivity().size() == 1) {
            // '=' rather than '= ANY(one value)': only then can the index on (connectivity, last seen) give the order
            sql.append(" AND s.connectivity = :connectivity");
            binds.put("connectivity", query.connectivity().get(0).dbValue());
        } else if (!query.connectivity().isEmpty()) {
            sql.append(" AND s.connectivity = ANY(CAST(:connectivity AS text[]))");
            binds.put("connectivity", query.connectivity().stream().map(Connectivity::dbValue).toArray(String[]::new));
        }
        if (query.group() != null) {
            // the group of the sort key's table (device_state keeps a copy, V15), written as that key's index has it,
            // so one index gives group and order
            DeviceSort.Key key = query.sort().key();
            sql.append(key == DeviceSort.Key.GROUP ? " AND coalesce(s.group_name, '') = :group"
                    : key.idSql.startsWith("s.") ? " AND s.group_name = :group" : " AND d.group_name = :group");
            binds.put("group", query.group());
        }
        if (query.agentVersion() != null) {
            sql.append(" AND s.agent_version = :agentVersion");
            binds.put("agentVersion", query.agentVersion());
        }
        if (query.contentVersion() != null) {
            sql.append(" AND s.content_version = :contentVersion");
            binds.put("contentVersion", query.contentVersion());
        }
        if (query.q() != null && !query.q().isBlank()) {
            sql.append(" AND ").append(SEARCH);
            binds.put("q", "%" + escapeLike(query.q().trim()) + "%");
        }
        return sql;
    }

    private static void orderBy(StringBuilder sql, DeviceSort sort) {
        String dir = sort.descending() ? " DESC" : " ASC";
        sql.append(" ORDER BY ").append(sort.key().sql).append(dir).append(", d.device_id").append(dir);
    }

    public Optional<DeviceView> device(String deviceId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + DEVICE_COLUMNS + FROM + "WHERE d.device_id = :id")
                .bind("id", deviceId)
                .bind("pendingSince", pendingSince())
                .map((rs, ctx) -> device(rs))
                .findOne());
    }

    /** One recorded status of a device. */
    public record HistoryPoint(String bootId, long seq, Instant sentAt, Instant receivedAt, String agentVersion,
                               Long uptimeSec, Double cpuLoad, Long memUsedMb, Long memTotalMb, Long diskFreeMb,
                               Double temperatureC, String display, String contentVersion, String contentError,
                               String ip) {
    }

    /**
     * One page of a device's history.
     *
     * @param nextCursor pass it back for the statuses after this page; null on the last page
     */
    public record HistoryPage(List<HistoryPoint> items, String nextCursor) {
    }

    /** Statuses sent in [from, to), oldest first, {@code limit} per page, continuing after {@code cursor}. */
    public HistoryPage history(String deviceId, Instant from, Instant to, int limit, String cursor) {
        StringBuilder sql = new StringBuilder("""
                SELECT boot_id, seq, sent_at, received_at, agent_version, uptime_sec, cpu_load, mem_used_mb,
                       mem_total_mb, disk_free_mb, temperature_c, display, content_version, content_error, ip
                FROM status_history
                WHERE device_id = :id AND sent_at >= :from AND sent_at < :to
                """);
        HistoryCursor after = cursor == null ? null : HistoryCursor.decode(cursor);
        if (after != null) {
            sql.append(" AND (sent_at, boot_id, seq) > (:afterTime, :afterBoot, :afterSeq)");
        }
        sql.append(" ORDER BY sent_at, boot_id, seq LIMIT :limit");
        List<HistoryPoint> points = jdbi.withHandle(h -> {
            Query q = h.createQuery(sql.toString())
                    .bind("id", deviceId)
                    .bind("from", Timestamp.from(from))
                    .bind("to", Timestamp.from(to))
                    .bind("limit", limit + 1);
            if (after != null) {
                q.bind("afterTime", Timestamp.from(after.sentAt())).bind("afterBoot", after.bootId()).bind("afterSeq", after.seq());
            }
            return q.map((rs, ctx) -> new HistoryPoint(rs.getString("boot_id"), rs.getLong("seq"), instant(rs, "sent_at"),
                            instant(rs, "received_at"), rs.getString("agent_version"), longOrNull(rs, "uptime_sec"),
                            doubleOrNull(rs, "cpu_load"), longOrNull(rs, "mem_used_mb"), longOrNull(rs, "mem_total_mb"),
                            longOrNull(rs, "disk_free_mb"), doubleOrNull(rs, "temperature_c"), rs.getString("display"),
                            rs.getString("content_version"), rs.getString("content_error"), rs.getString("ip")))
                    .list();
        });
        String next = null;
        if (points.size() > limit) {
            points = points.subList(0, limit);
            HistoryPoint last = points.get(limit - 1);
            next = new HistoryCursor(last.sentAt(), last.bootId(), last.seq()).encode();
        }
        return new HistoryPage(points, next);
    }

    /** Position in a device's history: the last status of the previous page. */
    record HistoryCursor(Instant sentAt, String bootId, long seq) {

        String encode() {
            ObjectNode node = Json.mapper().createObjectNode().put("t", sentAt.toString()).put("b", bootId).put("s", seq);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
        }

        static HistoryCursor decode(String value) {
            try {
                JsonNode node = Json.mapper().readTree(Base64.getUrlDecoder().decode(value));
                if (node == null || !node.path("t").isTextual() || !node.path("b").isTextual() || !node.path("s").canConvertToLong()) {
                    throw new InvalidQueryException("cursor", "is not a history cursor from this API");
                }
                return new HistoryCursor(Instant.parse(node.get("t").asText()), node.get("b").asText(), node.get("s").asLong());
            } catch (IllegalArgumentException | IOException | java.time.DateTimeException e) {
                throw new InvalidQueryException("cursor", "is not a history cursor from this API");
            }
        }
    }

    /** A connectivity event of a device. */
    public record DeviceEvent(String id, String type, Instant time, JsonNode data) {
    }

    /** The device's events, newest first. */
    public List<DeviceEvent> events(String deviceId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT event_id, type, occurred_at, data::text AS data FROM device_events
                        WHERE device_id = :id ORDER BY occurred_at DESC, event_id LIMIT :limit
                        """)
                .bind("id", deviceId)
                .bind("limit", limit)
                .map((rs, ctx) -> new DeviceEvent(rs.getString("event_id"), rs.getString("type"),
                        instant(rs, "occurred_at"), readJson(rs.getString("data"))))
                .list());
    }

    /** The groups that have devices, sorted (suggestions in forms and filters). */
    public List<String> groupNames() {
        return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT group_name FROM devices WHERE group_name IS NOT NULL")
                .mapTo(String.class).stream().sorted().toList());
    }

    /** The agent versions devices reported, sorted (suggestions in the device filter). */
    public List<String> agentVersions() {
        return jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT agent_version FROM device_state WHERE agent_version IS NOT NULL")
                .mapTo(String.class).stream().sorted().toList());
    }

    /** A connectivity or content event of any device. */
    public record FleetEvent(String deviceId, String type, Instant time, JsonNode data) {
    }

    /** The fleet's latest device events, newest first. */
    public List<FleetEvent> recentEvents(int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT device_id, type, occurred_at, data::text AS data FROM device_events
                        ORDER BY occurred_at DESC, event_id LIMIT :limit
                        """)
                .bind("limit", limit)
                .map((rs, ctx) -> new FleetEvent(rs.getString("device_id"), rs.getString("type"),
                        instant(rs, "occurred_at"), readJson(rs.getString("data"))))
                .list());
    }

    /**
     * Counts for the fleet at a glance.
     *
     * @param byGroup            per group: total and each connectivity state
     * @param byGroupContentSync per group: each content sync state
     */
    public record FleetSummary(long total, Map<String, Long> byConnectivity, Map<String, Long> byContentSync,
                               Map<String, Map<String, Long>> byGroup, Map<String, Map<String, Long>> byGroupContentSync,
                               Map<String, Long> byAgentVersion, long quarantinedMessages) {
    }

    /** The counts, read by one pass over the devices (one statement), plus the quarantine count. */
    public FleetSummary summary() {
        return jdbi.withHandle(h -> {
            Map<String, Long> byConnectivity = new LinkedHashMap<>();
            for (Connectivity c : Connectivity.values()) {
                byConnectivity.put(c.dbValue(), 0L);
            }
            Map<String, Long> byContentSync = new LinkedHashMap<>();
            for (ContentSync c : ContentSync.values()) {
                byContentSync.put(c.dbValue(), 0L);
            }
            Map<String, Map<String, Long>> byGroup = new LinkedHashMap<>();
            Map<String, Map<String, Long>> byGroupSync = new LinkedHashMap<>();
            Map<String, Long> versionCounts = new HashMap<>();
            long[] total = {0};
            h.createQuery("SELECT coalesce(d.group_name, '(none)') AS grp, s.connectivity,"
                            + " coalesce(s.agent_version, '(unknown)') AS v, " + ContentSync.SQL + " AS sync, count(*) AS n"
                            + FROM + "GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 4")
                    .bind("pendingSince", pendingSince())
                    .map((rs, ctx) -> new Object[] {rs.getString("grp"), rs.getString("connectivity"), rs.getString("v"),
                            rs.getString("sync"), rs.getLong("n")})
                    .forEach(r -> {
                        String group = (String) r[0];
                        String state = (String) r[1];
                        String sync = (String) r[3];
                        long n = (Long) r[4];
                        total[0] += n;
                        byConnectivity.merge(state, n, Long::sum);
                        Map<String, Long> g = byGroup.computeIfAbsent(group, k -> {
                            Map<String, Long> m = new LinkedHashMap<>();
                            m.put("total", 0L);
                            for (Connectivity c : Connectivity.values()) {
                                m.put(c.dbValue(), 0L);
                            }
                            return m;
                        });
                        g.merge(state, n, Long::sum);
                        g.merge("total", n, Long::sum);
                        versionCounts.merge((String) r[2], n, Long::sum);
                        byContentSync.merge(sync, n, Long::sum);
                        byGroupSync.computeIfAbsent(group, k -> {
                            Map<String, Long> m = new LinkedHashMap<>();
                            for (ContentSync c : ContentSync.values()) {
                                m.put(c.dbValue(), 0L);
                            }
                            return m;
                        }).merge(sync, n, Long::sum);
                    });
            // most devices first, then by name (as before, when SQL ordered them)
            Map<String, Long> byVersion = new LinkedHashMap<>();
            versionCounts.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .forEach(e -> byVersion.put(e.getKey(), e.getValue()));
            long quarantined = quarantinedMessages(h);
            return new FleetSummary(total[0], byConnectivity, byContentSync, byGroup, byGroupSync, byVersion, quarantined);
        });
    }

    /** Messages in quarantine not yet replayed (cheap: read on every summary request, never cached). */
    public long quarantinedMessages() {
        return jdbi.withHandle(FleetQueries::quarantinedMessages);
    }

    private static long quarantinedMessages(org.jdbi.v3.core.Handle h) {
        return h.createQuery("SELECT count(*) FROM quarantined_messages WHERE replayed_at IS NULL").mapTo(Long.class).one();
    }

    private static DeviceView device(ResultSet rs) throws SQLException {
        String bootId = rs.getString("boot_id");
        DeviceView.LatestStatus latest = null;
        if (bootId != null) {
            latest = new DeviceView.LatestStatus(bootId, rs.getLong("seq"), instant(rs, "sent_at"),
                    instant(rs, "received_at"), rs.getString("agent_version"), longOrNull(rs, "uptime_sec"),
                    doubleOrNull(rs, "cpu_load"), longOrNull(rs, "mem_used_mb"), longOrNull(rs, "mem_total_mb"),
                    longOrNull(rs, "disk_free_mb"), doubleOrNull(rs, "temperature_c"), rs.getString("display"),
                    rs.getString("content_version"), rs.getString("ip"), rs.getString("os"),
                    longOrNull(rs, "dropped_while_offline"));
        }
        return new DeviceView(rs.getString("device_id"), rs.getString("group_name"), rs.getString("name"),
                rs.getString("location"), instant(rs, "registered_at"),
                new DeviceView.ConnectivityView(rs.getString("connectivity"), rs.getString("connectivity_reason"),
                        instant(rs, "connectivity_since"), instant(rs, "last_seen_at")),
                new DeviceView.ContentView(rs.getString("content_sync"), rs.getString("content_version"),
                        rs.getString("expected_content"), instant(rs, "expected_since"), rs.getString("content_error")),
                latest);
    }

    private static String sortKey(ResultSet rs, DeviceSort sort) throws SQLException {
        return switch (sort.key()) {
            case DEVICE_ID -> rs.getString("device_id");
            case GROUP -> nullToEmpty(rs.getString("group_name"));
            case CONNECTIVITY -> rs.getString("connectivity");
            case LAST_SEEN -> {
                Timestamp t = rs.getTimestamp("last_seen_at");
                yield t == null ? "-infinity" : t.toInstant().toString();
            }
            case AGENT_VERSION -> nullToEmpty(rs.getString("agent_version"));
            case CONTENT_VERSION -> nullToEmpty(rs.getString("content_version"));
        };
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String escapeLike(String q) {
        return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }




    private static JsonNode readJson(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("stored event data is not JSON", e);
        }
    }

    private record Row(DeviceView device, String sortKey) {
    }

    /** Opaque page position: the sort it belongs to, the last row's sort key and device id. */
    record Cursor(String sort, String key, String deviceId) {

        String encode() {
            ObjectNode node = Json.mapper().createObjectNode().put("s", sort).put("k", key).put("id", deviceId);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(node.toString().getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String value, DeviceSort expected) {
            try {
                JsonNode node = Json.mapper().readTree(Base64.getUrlDecoder().decode(value));
                if (node == null || !node.path("s").isTextual() || !node.path("k").isTextual() || !node.path("id").isTextual()) {
                    throw new InvalidQueryException("cursor", "is not a cursor from this API");
                }
                if (!expected.apiValue().equals(node.get("s").asText())) {
                    throw new InvalidQueryException("cursor", "belongs to sort '" + node.get("s").asText()
                            + "' but this request sorts by '" + expected.apiValue() + "'");
                }
                String key = node.get("k").asText();
                if (expected.key() == DeviceSort.Key.LAST_SEEN && !key.equals("-infinity")) {
                    Instant.parse(key);
                }
                return new Cursor(node.get("s").asText(), key, node.get("id").asText());
            } catch (IllegalArgumentException | IOException | java.time.DateTimeException e) {
                throw new InvalidQueryException("cursor", "is not a cursor from this API");
            }
        }
    }

    /** Parses {@code contentSync} filter values (comma-separated or repeated). */
    public static List<ContentSync> contentSyncs(List<String> values) {
        List<ContentSync> result = new ArrayList<>();
        for (String v : values) {
            for (String part : v.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                ContentSync c = ContentSync.parseOrNull(part.trim());
                if (c == null) {
                    throw new InvalidQueryException("contentSync", "must be in_sync, pending, out_of_sync or none, was '" + part.trim() + "'");
                }
                result.add(c);
            }
        }
        return result;
    }

    /** Helper for callers building filters from several values. */
    public static List<Connectivity> connectivities(List<String> values) {
        List<Connectivity> result = new ArrayList<>();
        for (String v : values) {
            for (String part : v.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                Connectivity c = Connectivity.parseOrNull(part.trim());
                if (c == null) {
                    throw new InvalidQueryException("connectivity", "must be never_seen, online, stale or offline, was '" + part.trim() + "'");
                }
                result.add(c);
            }
        }
        return result;
    }
}
