package dev.signagefleet.telemetry.gaps;

import dev.signagefleet.telemetry.status.DeviceStatus;
import java.sql.Timestamp;
import java.time.Instant;
import org.jdbi.v3.core.Handle;

/**
 * Notes a suspected gap while a batch is applied: a status of the same boot whose seq is more than
 * one above the device's newest status so far. The {@link StatusGapSweeper} judges it later.
 * Gaps at the start of a boot are not noted: the first status seen of a boot may carry any seq.
 */
public final class StatusGaps {

    private static final String SUSPECT = """
            INSERT INTO status_gaps (device_id, boot_id, after_seq, before_seq, dropped_by_terminal, detected_at)
            VALUES (:deviceId, :bootId, :after, :before, :dropped, :at)
            ON CONFLICT (device_id, boot_id, after_seq) DO NOTHING
            """;

    /**
     * @param newestBefore the device's newest status before this one was applied, or null
     * @return true when a gap was noted
     */
    public boolean noteIfGap(Handle handle, DeviceStatus newestBefore, DeviceStatus status, Instant at) {
        if (newestBefore == null || !newestBefore.bootId().equals(status.bootId())
                || status.seq() <= newestBefore.seq() + 1) {
            return false;
        }
        return handle.createUpdate(SUSPECT)
                .bind("deviceId", status.deviceId())
                .bind("bootId", status.bootId())
                .bind("after", newestBefore.seq())
                .bind("before", status.seq())
                .bind("dropped", status.droppedWhileOffline())
                .bind("at", Timestamp.from(at))
                .execute() > 0;
    }
}
