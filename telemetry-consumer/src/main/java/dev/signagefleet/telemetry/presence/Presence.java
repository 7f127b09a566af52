package dev.signagefleet.telemetry.presence;

import java.time.Instant;
import java.util.Objects;

/**
 * A presence message from {@code dt/signage/{id}/presence}: the agent's "online" on connect, its
 * Last Will "offline" when the link is lost, or its own "offline" on a clean shutdown.
 *
 * @param conn   the agent's connection number within the boot (0 when a client does not send it)
 * @param reason {@code connected}, {@code shutdown}, {@code connection-lost} or null
 */
public record Presence(String deviceId, String bootId, boolean online, Instant at, int conn, String reason) {

    public Presence {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(bootId, "bootId");
        Objects.requireNonNull(at, "at");
    }

    /**
     * The presence order rule: within one boot the higher connection number wins, and for the same
     * connection "offline" wins over "online" (the will ends the connection it was set for); across
     * boots the later {@code at} wins.
     */
    public boolean isNewerThan(String currentBootId, Integer currentConn, Boolean currentOnline, Instant currentAt) {
        if (currentBootId == null) {
            return true;
        }
        if (currentBootId.equals(bootId)) {
            int current = currentConn == null ? 0 : currentConn;
            if (conn != current) {
                return conn > current;
            }
            return !online && Boolean.TRUE.equals(currentOnline);
        }
        return currentAt == null || at.isAfter(currentAt);
    }

    /** The human-readable cause of an offline presence. */
    public String offlineReason() {
        if ("shutdown".equals(reason)) {
            return "agent shut down cleanly";
        }
        return "connection lost (last will)";
    }
}
