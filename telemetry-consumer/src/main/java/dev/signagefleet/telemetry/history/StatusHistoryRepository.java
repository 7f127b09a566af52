package dev.signagefleet.telemetry.history;

import dev.signagefleet.telemetry.status.DeviceStatus;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Owns {@code status_history}: appends accepted statuses; a redelivered status is a no-op. */
public final class StatusHistoryRepository {

    private static final String INSERT = """
            INSERT INTO status_history (device_id, boot_id, seq, sent_at, received_at, agent_version, uptime_sec,
                cpu_load, mem_used_mb, mem_total_mb, disk_free_mb, temperature_c, display, content_version, ip, os,
                dropped_while_offline)
            VALUES (:deviceId, :bootId, :seq, :sentAt, :receivedAt, :agentVersion, :uptimeSec, :cpuLoad, :memUsedMb,
                :memTotalMb, :diskFreeMb, :temperatureC, :display, :contentVersion, :ip, :os, :droppedWhileOffline)
            ON CONFLICT DO NOTHING
            """;

    /** A status and when the consumer received it. */
    public record Received(DeviceStatus status, Instant receivedAt) {
    }

    /**
     * Appends the statuses.
     *
     * @return how many were new (the rest were duplicates already stored)
     */
    public int append(Handle handle, List<Received> statuses) {
        if (statuses.isEmpty()) {
            return 0;
        }
        PreparedBatch batch = handle.prepareBatch(INSERT);
        for (Received r : statuses) {
            DeviceStatus s = r.status();
            batch.bind("deviceId", s.deviceId())
                    .bind("bootId", s.bootId())
                    .bind("seq", s.seq())
                    .bind("sentAt", Timestamp.from(s.sentAt()))
                    .bind("receivedAt", Timestamp.from(r.receivedAt()))
                    .bind("agentVersion", s.agentVersion())
                    .bind("uptimeSec", s.uptimeSec())
                    .bind("cpuLoad", s.cpuLoad())
                    .bind("memUsedMb", s.memUsedMb())
                    .bind("memTotalMb", s.memTotalMb())
                    .bind("diskFreeMb", s.diskFreeMb())
                    .bind("temperatureC", s.temperatureC())
                    .bind("display", s.display())
                    .bind("contentVersion", s.contentVersion())
                    .bind("ip", s.ip())
                    .bind("os", s.os())
                    .bind("droppedWhileOffline", s.droppedWhileOffline())
                    .add();
        }
        int inserted = 0;
        for (int count : batch.execute()) {
            // With reWriteBatchedInserts the driver may report SUCCESS_NO_INFO (-2) for rewritten rows.
            inserted += count == java.sql.Statement.SUCCESS_NO_INFO ? 1 : count;
        }
        return inserted;
    }
}
