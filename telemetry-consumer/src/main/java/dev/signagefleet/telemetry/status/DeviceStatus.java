package dev.signagefleet.telemetry.status;

import java.time.Instant;
import java.util.Objects;

/**
 * One status report of a terminal, as validated from {@code dt/signage/{id}/status}. Optional
 * metrics are null when the terminal did not report them. {@code contentError} says why the
 * assigned content is not on screen (null when it is).
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
        String contentError,
        String ip,
        String os,
        Long droppedWhileOffline) {

    public DeviceStatus {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(bootId, "bootId");
        Objects.requireNonNull(sentAt, "sentAt");
    }

    /**
     * The order rule: within one boot the higher {@code seq} wins; across boots the later send time
     * wins, where a send time after the receive time counts as the receive time (a terminal whose
     * clock runs ahead must not freeze its state until its clock's date). A status that is not
     * newer never moves the device's state backwards.
     *
     * @param receivedAt        when this status arrived
     * @param currentEffectiveAt the current status's send time, capped by its receive time
     */
    public boolean isNewerThan(String currentBootId, Long currentSeq, Instant currentEffectiveAt, Instant receivedAt) {
        if (currentBootId == null) {
            return true;
        }
        if (currentBootId.equals(bootId)) {
            return currentSeq == null || seq > currentSeq;
        }
        return currentEffectiveAt == null || effectiveAt(receivedAt).isAfter(currentEffectiveAt);
    }

    /** The send time used for ordering across boots: {@code sentAt}, but never later than {@code receivedAt}. */
    public Instant effectiveAt(Instant receivedAt) {
        return receivedAt != null && sentAt.isAfter(receivedAt) ? receivedAt : sentAt;
    }
}
