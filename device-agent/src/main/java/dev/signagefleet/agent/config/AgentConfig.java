package dev.signagefleet.agent.config;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The agent's whole configuration, parsed and validated once at the edge (file + environment);
 * everything inside trusts it. See {@link ConfigKey} for the keys and defaults.
 *
 * @param deviceId          this terminal's id, also the MQTT client id
 * @param deviceGroup       the group whose commands it also receives
 * @param mqttUrl           {@code tcp://host:port} or {@code ssl://host:port}
 * @param mqttUsername      user name sent in CONNECT (the device id unless set)
 * @param mqttPassword      password, absent with certificate authentication
 * @param tls               PEM files for {@code ssl://}
 * @param heartbeat         time between statuses
 * @param keepAlive         MQTT keep-alive
 * @param sessionExpiry     how long the broker keeps the session while the terminal is offline
 * @param reconnectBase     backoff base (first retry waits up to this long)
 * @param reconnectCap      backoff cap
 * @param bufferDir         root of the offline buffers; this device uses {@link #deviceBufferDir()}
 * @param bufferMaxMessages statuses kept while offline
 * @param displayStateFile  file holding {@code on}/{@code off}
 * @param contentDir        root of the content packages; this device uses {@link #deviceContentDir()}
 * @param contentMaxBytes   largest content package accepted
 */
public record AgentConfig(
        String deviceId,
        Optional<String> deviceGroup,
        String mqttUrl,
        String mqttUsername,
        Optional<Secret> mqttPassword,
        TlsFiles tls,
        Duration heartbeat,
        Duration keepAlive,
        Duration sessionExpiry,
        Duration reconnectBase,
        Duration reconnectCap,
        Path bufferDir,
        int bufferMaxMessages,
        Optional<Path> displayStateFile,
        Path contentDir,
        long contentMaxBytes) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** MQTT's session expiry is a four-byte integer. */
    private static final long MAX_SESSION_EXPIRY = 4_294_967_295L;
    /** MQTT's keep-alive is a two-byte integer. */
    private static final int MAX_KEEPALIVE = 65_535;
    /** 1 TiB: far beyond any player page, and small enough that the unpacked limit (4×) cannot overflow. */
    private static final long MAX_CONTENT_BYTES = 1L << 40;

    public AgentConfig {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(deviceGroup, "deviceGroup");
        Objects.requireNonNull(mqttUrl, "mqttUrl");
        Objects.requireNonNull(mqttUsername, "mqttUsername");
        Objects.requireNonNull(mqttPassword, "mqttPassword");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(sessionExpiry, "sessionExpiry");
        Objects.requireNonNull(reconnectBase, "reconnectBase");
        Objects.requireNonNull(reconnectCap, "reconnectCap");
        Objects.requireNonNull(bufferDir, "bufferDir");
        Objects.requireNonNull(displayStateFile, "displayStateFile");
        Objects.requireNonNull(contentDir, "contentDir");
    }

    /** Where this device's offline statuses are kept: {@code {buffer.dir}/{device.id}}. */
    public Path deviceBufferDir() {
        return bufferDir.resolve(deviceId);
    }

    /** Where this device's content packages are kept: {@code {content.dir}/{device.id}}. */
    public Path deviceContentDir() {
        return contentDir.resolve(deviceId);
    }

    public boolean usesTls() {
        return mqttUrl.startsWith("ssl://");
    }

    /** Parses properties-file values alone (no environment), e.g. for the simulator. */
    public static AgentConfig parse(Map<String, String> values) {
        return parse(values, Map.of());
    }

    /**
     * Parses {@code values} (from a properties file) with {@code env} overriding every key through
     * {@link ConfigKey#envName()}.
     *
     * @throws AgentConfigException naming the first key whose value cannot be used
     */
    public static AgentConfig parse(Map<String, String> values, Map<String, String> env) {
        return new Parser(values, env).config();
    }

    /** Reads a properties file (UTF-8) and parses it with {@code env} overriding. */
    public static AgentConfig load(Path file, Map<String, String> env) {
        return parse(readProperties(file), env);
    }

    /** The key/value pairs of a properties file (UTF-8). */
    public static Map<String, String> readProperties(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new AgentConfigException("--config", "cannot read " + file.toAbsolutePath() + ": " + e, e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name)));
        return values;
    }

    /** Keys in {@code values} the agent does not know, usually typos worth a warning. */
    public static List<String> unknownKeys(Map<String, String> values) {
        return values.keySet().stream().filter(key -> ConfigKey.of(key).isEmpty()).sorted().toList();
    }

    /**
     * The text of a ready {@code agent.properties} for one device, with comments, e.g. for the
     * server-side CLI that registers a terminal. Validates like {@link #parse(Map)}.
     *
     * @param group    may be null
     * @param password may be null (certificate authentication)
     */
    public static String propertiesFileText(String deviceId, String group, String mqttUrl, String password) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(ConfigKey.DEVICE_ID.key(), deviceId);
        if (group != null) {
            values.put(ConfigKey.DEVICE_GROUP.key(), group);
        }
        values.put(ConfigKey.MQTT_URL.key(), mqttUrl);
        if (password != null) {
            values.put(ConfigKey.MQTT_PASSWORD.key(), password);
        }
        return parse(values).toPropertiesText();
    }

    /** This configuration as {@code key=value} lines, every key commented; the password is included. */
    public String toPropertiesText() {
        StringBuilder text = new StringBuilder();
        text.append("# signage device-agent configuration for ").append(deviceId).append('\n');
        text.append("# Every key can be overridden by an environment variable, e.g. ")
                .append(ConfigKey.MQTT_PASSWORD.envName()).append(".\n");
        Map<ConfigKey, Optional<String>> values = rawValues(false);
        for (ConfigKey key : ConfigKey.values()) {
            text.append('\n').append("# ").append(key.description());
            key.defaultValue().ifPresent(value -> text.append(" Default: ").append(value).append('.'));
            text.append('\n');
            Optional<String> value = values.get(key);
            if (value.isPresent()) {
                text.append(key.key()).append('=').append(escapeValue(value.get())).append('\n');
            } else {
                text.append('#').append(key.key()).append("=\n");
            }
        }
        return text.toString();
    }

    /** Writes {@link #toPropertiesText()} to {@code file}, readable by its owner only where the file system allows. */
    public void writePropertiesFile(Path file) throws IOException {
        Files.writeString(file, toPropertiesText(), StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system (Windows): the file keeps the directory's permissions
        }
    }

    /** One line per key with the effective value, the password masked: printed at start. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        rawValues(true).forEach((key, value) -> text.append(key.key()).append('=')
                .append(value.orElse("(not set)")).append('\n'));
        return text.toString().stripTrailing();
    }

    private Map<ConfigKey, Optional<String>> rawValues(boolean maskSecrets) {
        Map<ConfigKey, Optional<String>> values = new LinkedHashMap<>();
        values.put(ConfigKey.DEVICE_ID, Optional.of(deviceId));
        values.put(ConfigKey.DEVICE_GROUP, deviceGroup);
        values.put(ConfigKey.MQTT_URL, Optional.of(mqttUrl));
        values.put(ConfigKey.MQTT_USERNAME, Optional.of(mqttUsername));
        values.put(ConfigKey.MQTT_PASSWORD, mqttPassword.map(p -> maskSecrets ? p.toString() : p.value()));
        values.put(ConfigKey.TLS_CA_FILE, tls.caFile().map(Path::toString));
        values.put(ConfigKey.TLS_CERT_FILE, tls.certFile().map(Path::toString));
        values.put(ConfigKey.TLS_KEY_FILE, tls.keyFile().map(Path::toString));
        values.put(ConfigKey.HEARTBEAT_SECONDS, Optional.of(seconds(heartbeat)));
        values.put(ConfigKey.KEEPALIVE_SECONDS, Optional.of(Long.toString(keepAlive.toSeconds())));
        values.put(ConfigKey.SESSION_EXPIRY_SECONDS, Optional.of(Long.toString(sessionExpiry.toSeconds())));
        values.put(ConfigKey.RECONNECT_MIN_MS, Optional.of(Long.toString(reconnectBase.toMillis())));
        values.put(ConfigKey.RECONNECT_MAX_MS, Optional.of(Long.toString(reconnectCap.toMillis())));
        values.put(ConfigKey.BUFFER_DIR, Optional.of(bufferDir.toString()));
        values.put(ConfigKey.BUFFER_MAX_MESSAGES, Optional.of(Integer.toString(bufferMaxMessages)));
        values.put(ConfigKey.DISPLAY_STATE_FILE, displayStateFile.map(Path::toString));
        values.put(ConfigKey.CONTENT_DIR, Optional.of(contentDir.toString()));
        values.put(ConfigKey.CONTENT_MAX_BYTES, Optional.of(Long.toString(contentMaxBytes)));
        return values;
    }

    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toNanos()).movePointLeft(9).stripTrailingZeros().toPlainString();
    }

    /** Escapes what {@link Properties#load(Reader)} would otherwise read differently. */
    static String escapeValue(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\f' -> out.append("\\f");
                case ' ' -> out.append(i == 0 ? "\\ " : " ");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "AgentConfig{" + describe().replace('\n', ',') + "}";
    }

    /** Typed reads of the merged file + environment values; every failure names its key. */
    private static final class Parser {

        private final Map<String, String> values;
        private final Map<String, String> env;

        Parser(Map<String, String> values, Map<String, String> env) {
            this.values = values;
            this.env = env;
        }

        AgentConfig config() {
            String deviceId = id(ConfigKey.DEVICE_ID).orElseThrow(() -> new AgentConfigException(
                    ConfigKey.DEVICE_ID.key(), "required, e.g. lobby-01 (or set " + ConfigKey.DEVICE_ID.envName() + ")"));
            Optional<String> group = id(ConfigKey.DEVICE_GROUP);
            String url = mqttUrl();
            TlsFiles tls = tls(url);
            Duration base = Duration.ofMillis(whole(ConfigKey.RECONNECT_MIN_MS, 1, 86_400_000L));
            Duration cap = Duration.ofMillis(whole(ConfigKey.RECONNECT_MAX_MS, 1, 86_400_000L));
            if (cap.compareTo(base) < 0) {
                throw new AgentConfigException(ConfigKey.RECONNECT_MAX_MS.key(),
                        "expected at least reconnect.min.ms (" + base.toMillis() + "), was " + cap.toMillis());
            }
            return new AgentConfig(
                    deviceId,
                    group,
                    url,
                    optional(ConfigKey.MQTT_USERNAME).orElse(deviceId),
                    optional(ConfigKey.MQTT_PASSWORD).map(Secret::new),
                    tls,
                    decimalSeconds(ConfigKey.HEARTBEAT_SECONDS),
                    Duration.ofSeconds(whole(ConfigKey.KEEPALIVE_SECONDS, 1, MAX_KEEPALIVE)),
                    Duration.ofSeconds(whole(ConfigKey.SESSION_EXPIRY_SECONDS, 1, MAX_SESSION_EXPIRY)),
                    base,
                    cap,
                    Path.of(optional(ConfigKey.BUFFER_DIR).orElseThrow()),
                    (int) whole(ConfigKey.BUFFER_MAX_MESSAGES, 1, 1_000_000),
                    optional(ConfigKey.DISPLAY_STATE_FILE).map(Path::of),
                    Path.of(optional(ConfigKey.CONTENT_DIR).orElseThrow()),
                    whole(ConfigKey.CONTENT_MAX_BYTES, 1, MAX_CONTENT_BYTES));
        }

        /** The environment wins over the file; blank means unset; then the default. */
        private Optional<String> optional(ConfigKey key) {
            String value = env.get(key.envName());
            if (value == null || value.isBlank()) {
                value = values.get(key.key());
            }
            if (value == null || value.isBlank()) {
                return key.defaultValue();
            }
            return Optional.of(value.trim());
        }

        private Optional<String> id(ConfigKey key) {
            Optional<String> value = optional(key);
            if (value.isPresent() && !ID.matcher(value.get()).matches()) {
                throw new AgentConfigException(key.key(),
                        "expected 1 to 64 characters of A-Z a-z 0-9 _ -, was '" + value.get() + "'");
            }
            return value;
        }

        private String mqttUrl() {
            String raw = optional(ConfigKey.MQTT_URL).orElseThrow();
            AgentConfigException invalid = new AgentConfigException(ConfigKey.MQTT_URL.key(),
                    "expected tcp://host:port or ssl://host:port, was '" + raw + "'");
            try {
                URI uri = new URI(raw);
                boolean schemeOk = "tcp".equals(uri.getScheme()) || "ssl".equals(uri.getScheme());
                boolean pathOk = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
                if (!schemeOk || uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65_535 || !pathOk
                        || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
                    throw invalid;
                }
                return uri.getScheme() + "://" + uri.getRawAuthority();
            } catch (URISyntaxException e) {
                throw invalid;
            }
        }

        private TlsFiles tls(String url) {
            TlsFiles tls = new TlsFiles(readableFile(ConfigKey.TLS_CA_FILE), readableFile(ConfigKey.TLS_CERT_FILE),
                    readableFile(ConfigKey.TLS_KEY_FILE));
            if (!tls.isEmpty() && !url.startsWith("ssl://")) {
                ConfigKey first = tls.caFile().isPresent() ? ConfigKey.TLS_CA_FILE
                        : tls.certFile().isPresent() ? ConfigKey.TLS_CERT_FILE : ConfigKey.TLS_KEY_FILE;
                throw new AgentConfigException(first.key(),
                        "is set, but mqtt.url '" + url + "' is not ssl://; use ssl://host:8883 or remove the TLS keys");
            }
            if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
                ConfigKey missing = tls.certFile().isPresent() ? ConfigKey.TLS_KEY_FILE : ConfigKey.TLS_CERT_FILE;
                ConfigKey present = tls.certFile().isPresent() ? ConfigKey.TLS_CERT_FILE : ConfigKey.TLS_KEY_FILE;
                throw new AgentConfigException(missing.key(), "required when " + present.key() + " is set");
            }
            return tls;
        }

        private Optional<Path> readableFile(ConfigKey key) {
            Optional<Path> file = optional(key).map(Path::of);
            if (file.isPresent() && !Files.isReadable(file.get())) {
                throw new AgentConfigException(key.key(),
                        "expected a readable PEM file, '" + file.get().toAbsolutePath() + "' does not exist or cannot be read");
            }
            return file;
        }

        private long whole(ConfigKey key, long min, long max) {
            String raw = optional(key).orElseThrow();
            try {
                long value = Long.parseLong(raw);
                if (value >= min && value <= max) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below with the expected range
            }
            throw new AgentConfigException(key.key(), "expected a whole number from " + min + " to " + max + ", was '" + raw + "'");
        }

        private Duration decimalSeconds(ConfigKey key) {
            String raw = optional(key).orElseThrow();
            try {
                BigDecimal seconds = new BigDecimal(raw);
                if (seconds.signum() > 0 && seconds.compareTo(BigDecimal.valueOf(86_400)) <= 0) {
                    long nanos = seconds.movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
                    if (nanos >= 1_000_000) {
                        return Duration.ofNanos(nanos);
                    }
                }
            } catch (NumberFormatException | ArithmeticException e) {
                // reported below with what is expected
            }
            throw new AgentConfigException(key.key(),
                    "expected seconds from 0.001 to 86400 (decimals allowed, e.g. 0.5), was '" + raw + "'");
        }
    }
}
