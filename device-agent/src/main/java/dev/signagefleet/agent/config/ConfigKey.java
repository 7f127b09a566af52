package dev.signagefleet.agent.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Every configuration key of the agent with its default and meaning: the one place the defaults
 * live, used to parse, to print {@code --help}, and to write a ready {@code agent.properties}.
 */
public enum ConfigKey {

    DEVICE_ID("device.id", null, "This terminal's id = MQTT client id = AWS IoT thing name; [A-Za-z0-9_-]{1,64}. Required."),
    DEVICE_GROUP("device.group", null, "Group whose commands this terminal also receives (cmd/signage/group/{group}/#); same pattern."),
    MQTT_URL("mqtt.url", "tcp://localhost:1883", "Broker: tcp://host:port, or ssl://host:8883 for AWS IoT Core."),
    MQTT_USERNAME("mqtt.username", null, "User name; defaults to device.id."),
    MQTT_PASSWORD("mqtt.password", null, "Password; optional when a client certificate is used."),
    TLS_CA_FILE("tls.ca.file", null, "PEM CA certificate(s) to trust for ssl:// (default: the JVM trust store)."),
    TLS_CERT_FILE("tls.cert.file", null, "PEM client certificate (chain) for mutual TLS (AWS IoT Core)."),
    TLS_KEY_FILE("tls.key.file", null, "PEM private key of tls.cert.file: PKCS#8, PKCS#1 RSA or SEC1 EC, unencrypted."),
    HEARTBEAT_SECONDS("heartbeat.seconds", "30", "Seconds between status messages; decimals allowed (0.2)."),
    KEEPALIVE_SECONDS("keepalive.seconds", "60", "MQTT keep-alive in seconds (AWS IoT Core accepts 30..1200)."),
    SESSION_EXPIRY_SECONDS("session.expiry.seconds", "3600", "How long the broker keeps this terminal's session (and queued commands) while it is offline."),
    RECONNECT_MIN_MS("reconnect.min.ms", "1000", "Backoff base: the first retry waits a random time up to this many ms; each failure doubles it."),
    RECONNECT_MAX_MS("reconnect.max.ms", "60000", "Backoff cap in ms."),
    BUFFER_DIR("buffer.dir", "./agent-buffer", "Directory of the offline status buffer; statuses go to {buffer.dir}/{device.id}/."),
    BUFFER_MAX_MESSAGES("buffer.max.messages", "1000", "Statuses kept while offline; beyond that the oldest are dropped and counted."),
    DISPLAY_STATE_FILE("display.state.file", null, "Optional file containing 'on' or 'off' (written by the player); else display is 'unknown'."),
    CONTENT_DIR("content.dir", "./content", "Directory of the content packages; this terminal's are in {content.dir}/{device.id}/ (current, versions/)."),
    CONTENT_MAX_BYTES("content.max.bytes", "209715200", "Largest content package accepted, in bytes (default 200 MB); it may unpack to 4 times that.");

    /** Environment variables override the file: SIGNAGE_AGENT_ + the key upper-cased, dots and dashes as underscores. */
    public static final String ENV_PREFIX = "SIGNAGE_AGENT_";

    private final String key;
    private final String defaultValue;
    private final String description;

    ConfigKey(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String key() {
        return key;
    }

    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String description() {
        return description;
    }

    /** e.g. {@code SIGNAGE_AGENT_MQTT_PASSWORD} for {@code mqtt.password}. */
    public String envName() {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public static Optional<ConfigKey> of(String key) {
        for (ConfigKey candidate : values()) {
            if (candidate.key.equals(key)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
