package dev.signagefleet.telemetry.ingest;

import dev.signagefleet.telemetry.presence.Presence;
import dev.signagefleet.telemetry.status.DeviceStatus;

/** What one MQTT message turned out to be once decoded. */
public sealed interface TelemetryMessage {

    String topic();

    record StatusReport(String topic, DeviceStatus status) implements TelemetryMessage {
    }

    record PresenceReport(String topic, Presence presence) implements TelemetryMessage {
    }

    /**
     * A payload that cannot be accepted; it is quarantined with the reason and its raw bytes.
     *
     * @param deviceId the device named by the topic, or null when the topic itself is wrong
     */
    record Rejected(String topic, String deviceId, String reason, byte[] payload) implements TelemetryMessage {
    }
}
