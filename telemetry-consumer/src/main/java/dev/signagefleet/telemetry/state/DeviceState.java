package dev.signagefleet.telemetry.state;

import dev.signagefleet.telemetry.connectivity.Connectivity;
import dev.signagefleet.telemetry.status.DeviceStatus;
import java.time.Instant;

/**
 * The working copy of one device's {@code device_state} row while a batch is applied to it.
 * Mutable on purpose: a batch may carry several messages for the same device.
 */
public final class DeviceState {

    final String deviceId;
    final String group;
    Connectivity connectivity;
    String reason;
    Instant since;
    Instant lastSeenAt;
    DeviceStatus latest;
    Instant latestReceivedAt;
    String presenceBootId;
    Integer presenceConn;
    Boolean presenceOnline;
    Instant presenceAt;
    boolean statusChanged;
    boolean changed;

    public DeviceState(String deviceId, String group, Connectivity connectivity, String reason, Instant since,
                       Instant lastSeenAt, DeviceStatus latest, Instant latestReceivedAt, String presenceBootId,
                       Integer presenceConn, Boolean presenceOnline, Instant presenceAt) {
        this.deviceId = deviceId;
        this.group = group;
        this.connectivity = connectivity;
        this.reason = reason;
        this.since = since;
        this.lastSeenAt = lastSeenAt;
        this.latest = latest;
        this.latestReceivedAt = latestReceivedAt;
        this.presenceBootId = presenceBootId;
        this.presenceConn = presenceConn;
        this.presenceOnline = presenceOnline;
        this.presenceAt = presenceAt;
    }

    public static DeviceState neverSeen(String deviceId, String group, Instant since) {
        return new DeviceState(deviceId, group, Connectivity.NEVER_SEEN, null, since, null, null, null,
                null, null, null, null);
    }

    public String deviceId() {
        return deviceId;
    }

    public String group() {
        return group;
    }

    public Connectivity connectivity() {
        return connectivity;
    }

    public String reason() {
        return reason;
    }

    public Instant since() {
        return since;
    }

    public Instant lastSeenAt() {
        return lastSeenAt;
    }

    public DeviceStatus latest() {
        return latest;
    }

    public Instant latestReceivedAt() {
        return latestReceivedAt;
    }

    public String presenceBootId() {
        return presenceBootId;
    }

    public Integer presenceConn() {
        return presenceConn;
    }

    public Boolean presenceOnline() {
        return presenceOnline;
    }

    public Instant presenceAt() {
        return presenceAt;
    }

    /** Anything to write back. */
    public boolean changed() {
        return changed;
    }

    /** The latest status was replaced by a newer one. */
    public boolean statusChanged() {
        return statusChanged;
    }
}
