package dev.signagefleet.telemetry;

import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.mqtt.MqttSettings;
import java.time.Duration;

/**
 * Settings of the telemetry consumer; {@link #from(Settings)} reads them from environment-style keys
 * with the defaults in one place.
 *
 * @param mqtt             broker and service credential
 * @param instanceId       distinguishes instances sharing the subscription (part of the MQTT client id)
 * @param heartbeat        the agents' heartbeat: stale after 2, offline after 3 silent heartbeats
 * @param batchSize        messages per database transaction
 * @param maxPayloadBytes  larger payloads are quarantined
 * @param receiveMaximum   unacknowledged messages the broker may send at once; bounds the consumer's memory
 * @param sessionExpiry    how long the broker keeps this consumer's session (and queues for it) while it is away
 * @param retentionDays    days of status history kept
 */
public record TelemetryConfig(
        MqttSettings mqtt,
        String instanceId,
        Duration heartbeat,
        int batchSize,
        int maxPayloadBytes,
        int receiveMaximum,
        Duration sessionExpiry,
        int retentionDays) {

    /** The broker account services use by default, and the shared subscription group. */
    public static final String SERVICE_ACCOUNT = "svc-telemetry";
    public static final String SHARED_GROUP = "telemetry";

    /** Every instance's MQTT client id starts with this (the AWS IoT services policy allows {@code telemetry-consumer-*}). */
    public static final String CLIENT_ID_PREFIX = "telemetry-consumer-";

    public static TelemetryConfig from(Settings s) {
        MqttSettings mqtt = new MqttSettings(
                s.string("SIGNAGE_MQTT_URL", "tcp://localhost:1883"),
                s.string("SIGNAGE_TELEMETRY_MQTT_USERNAME", SERVICE_ACCOUNT),
                new Secret(s.string("SIGNAGE_TELEMETRY_MQTT_PASSWORD", "")));
        return new TelemetryConfig(
                mqtt,
                s.string("SIGNAGE_TELEMETRY_INSTANCE", defaultInstance()),
                s.seconds("SIGNAGE_HEARTBEAT_SEC", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1)),
                s.integer("SIGNAGE_TELEMETRY_BATCH_SIZE", 500, 1, 10_000),
                s.integer("SIGNAGE_TELEMETRY_MAX_PAYLOAD_BYTES", 16 * 1024, 512, 128 * 1024),
                s.integer("SIGNAGE_TELEMETRY_RECEIVE_MAXIMUM", 2_000, 10, 65_535),
                s.seconds("SIGNAGE_TELEMETRY_SESSION_EXPIRY_SEC", Duration.ofDays(7), Duration.ofMinutes(1), Duration.ofDays(7)),
                s.integer("SIGNAGE_HISTORY_RETENTION_DAYS", 30, 1, 3650));
    }

    public TelemetryConfig withMqtt(MqttSettings settings) {
        return new TelemetryConfig(settings, instanceId, heartbeat, batchSize, maxPayloadBytes, receiveMaximum,
                sessionExpiry, retentionDays);
    }

    public TelemetryConfig withInstanceId(String id) {
        return new TelemetryConfig(mqtt, id, heartbeat, batchSize, maxPayloadBytes, receiveMaximum,
                sessionExpiry, retentionDays);
    }

    public TelemetryConfig withHeartbeat(Duration value) {
        return new TelemetryConfig(mqtt, instanceId, value, batchSize, maxPayloadBytes, receiveMaximum,
                sessionExpiry, retentionDays);
    }

    /** MQTT client id of this instance; stable across restarts so its persistent session is resumed. */
    public String clientId() {
        return CLIENT_ID_PREFIX + instanceId;
    }

    /** How often silent devices are aged. */
    public Duration sweepInterval() {
        Duration third = heartbeat.dividedBy(3);
        return third.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : third;
    }

    /** The host name (HOSTNAME is often not exported), so instances on different machines differ. */
    public static String defaultInstance() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "1";
            }
        }
        return host.replaceAll("[^A-Za-z0-9_-]", "-");
    }
}
