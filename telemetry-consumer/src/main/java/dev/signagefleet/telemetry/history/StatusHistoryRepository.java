package dev.signagefleet.telemetry.history;

import dev.signagefleet.telemetry.status.DeviceStatus;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Owns {@code status_history}: appends accepted statuses; a redelivered status is a no-op. */
public final class StatusHistoryRepository {

    // One statement per batch: the rows travel as arrays, and the update count is exactly the
    // number of new rows (duplicates are skipped by the primary key).
    private static final String INSERT = """
            INSERT INTO status_history (device_id, boot_id, seq, sent_at, received_at, agent_version, uptime_sec,
                cpu_load, mem_used_mb, mem_total_mb, disk_free_mb, temperature_c, display, content_version, content_error, ip, os,
                dropped_while_offline)
            SELECT * FROM unnest(
                CAST(:deviceId AS text[]), CAST(:bootId AS text[]), CAST(:seq AS bigint[]),
                CAST(:sentAt AS timestamptz[]), CAST(:receivedAt AS timestamptz[]), CAST(:agentVersion AS text[]),
                CAST(:uptimeSec AS bigint[]), CAST(:cpuLoad AS float8[]), CAST(:memUsedMb AS bigint[]),
                CAST(:memTotalMb AS bigint[]), CAST(:diskFreeMb AS bigint[]), CAST(:temperatureC AS float8[]),
                CAST(:display AS text[]), CAST(:contentVersion AS text[]), CAST(:contentError AS text[]), CAST(:ip AS text[]), CAST(:os AS text[]),
                CAST(:droppedWhileOffline AS bigint[]))
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
        int n = statuses.size();
        String[] deviceId = new String[n];
        String[] bootId = new String[n];
        Long[] seq = new Long[n];
        String[] sentAt = new String[n];
        String[] receivedAt = new String[n];
        String[] agentVersion = new String[n];
        Long[] uptimeSec = new Long[n];
        Double[] cpuLoad = new Double[n];
        Long[] memUsedMb = new Long[n];
        Long[] memTotalMb = new Long[n];
        Long[] diskFreeMb = new Long[n];
        Double[] temperatureC = new Double[n];
        String[] display = new String[n];
        String[] contentVersion = new String[n];
        String[] contentError = new String[n];
        String[] ip = new String[n];
        String[] os = new String[n];
        Long[] dropped = new Long[n];
        for (int i = 0; i < n; i++) {
            DeviceStatus s = statuses.get(i).status();
            deviceId[i] = s.deviceId();
            bootId[i] = s.bootId();
            seq[i] = s.seq();
            sentAt[i] = s.sentAt().toString();
            receivedAt[i] = statuses.get(i).receivedAt().toString();
            agentVersion[i] = s.agentVersion();
            uptimeSec[i] = s.uptimeSec();
            cpuLoad[i] = s.cpuLoad();
            memUsedMb[i] = s.memUsedMb();
            memTotalMb[i] = s.memTotalMb();
            diskFreeMb[i] = s.diskFreeMb();
            temperatureC[i] = s.temperatureC();
            display[i] = s.display();
            contentVersion[i] = s.contentVersion();
            contentError[i] = s.contentError();
            ip[i] = s.ip();
            os[i] = s.os();
            dropped[i] = s.droppedWhileOffline();
        }
        return handle.createUpdate(INSERT)
                .bind("deviceId", deviceId)
                .bind("bootId", bootId)
                .bind("seq", seq)
                .bind("sentAt", sentAt)
                .bind("receivedAt", receivedAt)
                .bind("agentVersion", agentVersion)
                .bind("uptimeSec", uptimeSec)
                .bind("cpuLoad", cpuLoad)
                .bind("memUsedMb", memUsedMb)
                .bind("memTotalMb", memTotalMb)
                .bind("diskFreeMb", diskFreeMb)
                .bind("temperatureC", temperatureC)
                .bind("display", display)
                .bind("contentVersion", contentVersion)
                .bind("contentError", contentError)
                .bind("ip", ip)
                .bind("os", os)
                .bind("droppedWhileOffline", dropped)
                .execute();
    }
}
