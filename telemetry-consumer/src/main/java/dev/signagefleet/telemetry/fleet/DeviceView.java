package dev.signagefleet.telemetry.fleet;

import java.time.Instant;

/**
 * A device as the fleet API shows it: identity, connectivity and its latest status.
 *
 * @param latest null until the device reported a status
 */
public record DeviceView(
        String deviceId,
        String group,
        String name,
        String location,
        Instant registeredAt,
        ConnectivityView connectivity,
        ContentView content,
        LatestStatus latest) {

    /**
     * Whether the device shows its group's current content.
     *
     * @param sync     in_sync, pending (another version, not judged out of sync yet), out_of_sync (as the content sync
     *                 sweep decided after the grace), or none (nothing assigned)
     * @param current  the version the device reports
     * @param expected its group's current version
     * @param since    when that version became current
     * @param error    why the device could not put the assigned content on screen, as it reported (null when none)
     */
    public record ContentView(String sync, String current, String expected, Instant since, String error) {
    }

    /**
     * @param state  never_seen, online, stale or offline
     * @param reason why it is in that state
     * @param since  when it entered that state
     */
    public record ConnectivityView(String state, String reason, Instant since, Instant lastSeenAt) {
    }

    /** The latest status that won the order rule. */
    public record LatestStatus(
            String bootId,
            long seq,
            Instant sentAt,
            Instant receivedAt,
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
    }
}
