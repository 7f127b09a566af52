package dev.signagefleet.telemetry.connectivity;

import java.time.Instant;

/**
 * A device moved from one connectivity to another; becomes a {@code signage.device.*.v1} event.
 *
 * @param reason why, in words an operator understands
 * @param at     when the consumer decided it (server clock)
 */
public record ConnectivityChange(
        String deviceId,
        String group,
        Connectivity previous,
        Connectivity current,
        String reason,
        Instant at,
        Instant lastSeenAt,
        String bootId) {

    public static final String ONLINE_TYPE = "signage.device.online.v1";
    public static final String OFFLINE_TYPE = "signage.device.offline.v1";
    public static final String STALE_TYPE = "signage.device.stale.v1";

    public String eventType() {
        if (current == Connectivity.ONLINE) {
            return ONLINE_TYPE;
        }
        if (current == Connectivity.STALE) {
            return STALE_TYPE;
        }
        return OFFLINE_TYPE;
    }
}
