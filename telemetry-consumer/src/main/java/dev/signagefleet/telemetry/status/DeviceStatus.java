package dev.signagefleet.telemetry.status;

import java.time.Instant;
import java.util.Objects;

/**
 * One status report of a terminal, as validated from {@code dt/signage/{id}/status}. Optional
 * metrics are null when the terminal did not report them.
 */
public record DeviceStatus(
        String deviceId,
        String bootId,
        long seq,
        Instant sentAt,
        String agentVersion,
        Long uptimeSec,
        Double cpuLoad,
        Long memUsedMb,
        Long memTotalMb,
        Long diskFreeMb,
        Double temperatureC,
        String display,
        String contentVersion,
        String ip,
        String os,
        Long droppedWhileOffline) {

    public DeviceStatus {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(bootId, "bootId");
        Objects.requireNonNull(sentAt, "sentAt");
    }

    /**
     * The order rule: within one boot the higher {@code seq} wins; across boots the later
     * {@code sentAt} wins. A status that is not newer never moves the device's state backwards.
     */
    public boolean isNewerThan(String currentBootId, Long currentSeq, Instant currentSentAt) {
        if (currentBootId == null) {
            return true;
        }
        if (currentBootId.equals(bootId)) {
            return currentSeq == null || seq > currentSeq;
        }
        return currentSentAt == null || sentAt.isAfter(currentSentAt);
    }
}
