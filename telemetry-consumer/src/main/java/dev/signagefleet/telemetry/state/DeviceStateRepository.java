package dev.signagefleet.telemetry.state;

import static dev.signagefleet.common.db.Columns.doubleOrNull;
import static dev.signagefleet.common.db.Columns.instant;
import static dev.signagefleet.common.db.Columns.longOrNull;
import static dev.signagefleet.common.db.Columns.timestamp;

import dev.signagefleet.telemetry.connectivity.Connectivity;
import dev.signagefleet.telemetry.status.DeviceStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Owns {@code device_state}: locks rows for a batch, reads them into {@link DeviceState}, writes them back. */
public final class DeviceStateRepository {

    private static final String ENSURE_DEVICES = """
            INSERT INTO devices (device_id, registered_by)
            SELECT id, 'telemetry' FROM unnest(CAST(:ids AS text[])) AS id ORDER BY id
            ON CONFLICT (device_id) DO NOTHING
            """;
    private static final String ENSURE_STATES = """
            INSERT INTO device_state (device_id)
            SELECT id FROM unnest(CAST(:ids AS text[])) AS id ORDER BY id
            ON CONFLICT (device_id) DO NOTHING
            """;
    private static final String COLUMNS = """
            s.device_id, d.group_name, s.connectivity, s.connectivity_reason, s.connectivity_since, s.last_seen_at,
            s.boot_id, s.seq, s.sent_at, s.received_at, s.agent_version, s.uptime_sec, s.cpu_load, s.mem_used_mb,
            s.mem_total_mb, s.disk_free_mb, s.temperature_c, s.display, s.content_version, s.content_error, s.ip, s.os,
            s.dropped_while_offline, s.presence_boot_id, s.presence_conn, s.presence_state, s.presence_at
            """;
    private static final String LOCK = "SELECT " + COLUMNS + """
            FROM device_state s JOIN devices d USING (device_id)
            WHERE s.device_id = ANY(CAST(:ids AS text[]))
            ORDER BY s.device_id
            FOR UPDATE OF s
            """;
    private static final String LOCK_SILENT = "SELECT " + COLUMNS + """
            FROM device_state s JOIN devices d USING (device_id)
            WHERE (s.connectivity = 'online' AND s.last_seen_at < :staleBefore)
               OR (s.connectivity = 'stale' AND s.last_seen_at < :offlineBefore)
            ORDER BY s.device_id
            LIMIT :limit
            FOR UPDATE OF s SKIP LOCKED
            """;
    private static final String UPDATE = """
            UPDATE device_state SET
                connectivity = :connectivity, connectivity_reason = :reason, connectivity_since = :since,
                last_seen_at = :lastSeenAt, boot_id = :bootId, seq = :seq, sent_at = :sentAt, received_at = :receivedAt,
                agent_version = :agentVersion, uptime_sec = :uptimeSec, cpu_load = :cpuLoad, mem_used_mb = :memUsedMb,
                mem_total_mb = :memTotalMb, disk_free_mb = :diskFreeMb, temperature_c = :temperatureC,
                display = :display, content_version = :contentVersion, content_error = :contentError, ip = :ip, os = :os,
                dropped_while_offline = :droppedWhileOffline, presence_boot_id = :presenceBootId,
                presence_conn = :presenceConn, presence_state = :presenceState, presence_at = :presenceAt,
                updated_at = now()
            WHERE device_id = :deviceId
            """;

    /** Creates registry and state rows for devices reporting before anyone registered them. */
    public void ensureExists(Handle handle, Collection<String> deviceIds) {
        String[] ids = deviceIds.toArray(String[]::new);
        handle.createUpdate(ENSURE_DEVICES).bind("ids", ids).execute();
        handle.createUpdate(ENSURE_STATES).bind("ids", ids).execute();
    }

    /** Locks the rows (in device id order, so concurrent batches cannot deadlock) and reads them. */
    public Map<String, DeviceState> lock(Handle handle, Collection<String> deviceIds) {
        Map<String, DeviceState> states = new LinkedHashMap<>();
        handle.createQuery(LOCK)
                .bind("ids", deviceIds.toArray(String[]::new))
                .map((rs, ctx) -> read(rs))
                .forEach(s -> states.put(s.deviceId(), s));
        return states;
    }

    /**
     * Locks devices due to age: online ones silent since {@code staleBefore}, stale ones silent since
     * {@code offlineBefore}; rows another transaction holds are skipped.
     */
    public List<DeviceState> lockDueToAge(Handle handle, Instant staleBefore, Instant offlineBefore, int limit) {
        return handle.createQuery(LOCK_SILENT)
                .bind("staleBefore", Timestamp.from(staleBefore))
                .bind("offlineBefore", Timestamp.from(offlineBefore))
                .bind("limit", limit)
                .map((rs, ctx) -> read(rs))
                .list();
    }

    public void save(Handle handle, Collection<DeviceState> states) {
        PreparedBatch batch = handle.prepareBatch(UPDATE);
        int n = 0;
        for (DeviceState s : states) {
            if (!s.changed()) {
                continue;
            }
            DeviceStatus st = s.latest();
            batch.bind("deviceId", s.deviceId())
                    .bind("connectivity", s.connectivity().dbValue())
                    .bind("reason", s.reason())
                    .bind("since", timestamp(s.since()))
                    .bind("lastSeenAt", timestamp(s.lastSeenAt()))
                    .bind("bootId", st == null ? null : st.bootId())
                    .bind("seq", st == null ? null : st.seq())
                    .bind("sentAt", st == null ? null : timestamp(st.sentAt()))
                    .bind("receivedAt", timestamp(s.latestReceivedAt()))
                    .bind("agentVersion", st == null ? null : st.agentVersion())
                    .bind("uptimeSec", st == null ? null : st.uptimeSec())
                    .bind("cpuLoad", st == null ? null : st.cpuLoad())
                    .bind("memUsedMb", st == null ? null : st.memUsedMb())
                    .bind("memTotalMb", st == null ? null : st.memTotalMb())
                    .bind("diskFreeMb", st == null ? null : st.diskFreeMb())
                    .bind("temperatureC", st == null ? null : st.temperatureC())
                    .bind("display", st == null ? null : st.display())
                    .bind("contentVersion", st == null ? null : st.contentVersion())
                    .bind("contentError", st == null ? null : st.contentError())
                    .bind("ip", st == null ? null : st.ip())
                    .bind("os", st == null ? null : st.os())
                    .bind("droppedWhileOffline", st == null ? null : st.droppedWhileOffline())
                    .bind("presenceBootId", s.presenceBootId())
                    .bind("presenceConn", s.presenceConn())
                    .bind("presenceState", s.presenceOnline() == null ? null : (s.presenceOnline() ? "online" : "offline"))
                    .bind("presenceAt", timestamp(s.presenceAt()))
                    .add();
            n++;
        }
        if (n > 0) {
            batch.execute();
        }
    }

    private static DeviceState read(ResultSet rs) throws SQLException {
        String bootId = rs.getString("boot_id");
        DeviceStatus latest = null;
        if (bootId != null) {
            latest = new DeviceStatus(
                    rs.getString("device_id"), bootId, rs.getLong("seq"), instant(rs, "sent_at"),
                    rs.getString("agent_version"), longOrNull(rs, "uptime_sec"), doubleOrNull(rs, "cpu_load"),
                    longOrNull(rs, "mem_used_mb"), longOrNull(rs, "mem_total_mb"), longOrNull(rs, "disk_free_mb"),
                    doubleOrNull(rs, "temperature_c"), rs.getString("display"), rs.getString("content_version"),
                    rs.getString("content_error"), rs.getString("ip"), rs.getString("os"),
                    longOrNull(rs, "dropped_while_offline"));
        }
        int connValue = rs.getInt("presence_conn");
        Integer conn = rs.wasNull() ? null : connValue;
        String presenceState = rs.getString("presence_state");
        return new DeviceState(
                rs.getString("device_id"), rs.getString("group_name"),
                Connectivity.fromDb(rs.getString("connectivity")), rs.getString("connectivity_reason"),
                instant(rs, "connectivity_since"), instant(rs, "last_seen_at"), latest, instant(rs, "received_at"),
                rs.getString("presence_boot_id"), conn,
                presenceState == null ? null : presenceState.equals("online"), instant(rs, "presence_at"));
    }
}
