package dev.signagefleet.common.mqtt;

import dev.signagefleet.common.config.ConfigException;
import dev.signagefleet.common.config.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * How a service reaches the MQTT broker.
 *
 * @param url      {@code tcp://host:1883} or {@code ssl://host:8883} ({@code mqtt://} and {@code mqtts://} too)
 * @param username service account name on the broker
 * @param password service account secret
 */
public record MqttSettings(String url, String username, Secret password, Optional<TlsFiles> tlsFiles) {

    /**
     * PEM files for {@code ssl://}: a client certificate and its key for mutual TLS (as AWS IoT Core
     * requires), and/or the CA that signed the broker's certificate (empty = the JDK's trusted CAs).
     */
    public record TlsFiles(Optional<Path> certificateFile, Optional<Path> privateKeyFile, Optional<Path> caFile) {
        public TlsFiles {
            if (certificateFile.isPresent() != privateKeyFile.isPresent()) {
                throw new ConfigException(certificateFile.isPresent() ? "SIGNAGE_MQTT_KEY_FILE" : "SIGNAGE_MQTT_CERT_FILE",
                        "a client certificate needs both SIGNAGE_MQTT_CERT_FILE and SIGNAGE_MQTT_KEY_FILE");
            }
        }

        /** With a client certificate (not only a CA to trust). */
        public boolean hasClientCertificate() {
            return certificateFile.isPresent();
        }
    }

    public MqttSettings {
        String scheme = parse(url).getScheme().toLowerCase(Locale.ROOT);
        if (tlsFiles.isPresent() && !scheme.equals("ssl") && !scheme.equals("mqtts")) {
            throw new ConfigException("SIGNAGE_MQTT_URL", "TLS files (SIGNAGE_MQTT_CERT_FILE, _KEY_FILE, _CA_FILE) need an ssl:// URL, was '"
                    + url + "'");
        }
    }

    public MqttSettings(String url, String username, Secret password) {
        this(url, username, password, Optional.empty());
    }

    /** With a client certificate and no password, the certificate is the only login (AWS IoT Core). */
    public boolean certificateOnly() {
        return tlsFiles.map(TlsFiles::hasClientCertificate).orElse(false) && password.value().isEmpty();
    }

    /**
     * The settings with the TLS files of SIGNAGE_MQTT_CERT_FILE, SIGNAGE_MQTT_KEY_FILE and
     * SIGNAGE_MQTT_CA_FILE, those that are set.
     */
    public MqttSettings withCertificateFrom(dev.signagefleet.common.config.Settings env) {
        Optional<Path> cert = path(env, "SIGNAGE_MQTT_CERT_FILE");
        Optional<Path> key = path(env, "SIGNAGE_MQTT_KEY_FILE");
        Optional<Path> ca = path(env, "SIGNAGE_MQTT_CA_FILE");
        if (cert.isEmpty() && key.isEmpty() && ca.isEmpty()) {
            return this;
        }
        return new MqttSettings(url, username, password, Optional.of(new TlsFiles(cert, key, ca)));
    }

    private static Optional<Path> path(dev.signagefleet.common.config.Settings env, String key) {
        return env.optional(key).filter(v -> !v.isBlank()).map(Path::of);
    }

    public String host() {
        return parse(url).getHost();
    }

    public int port() {
        URI uri = parse(url);
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return tls() ? 8883 : 1883;
    }

    public boolean tls() {
        String scheme = parse(url).getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("ssl") || scheme.equals("mqtts");
    }

    private static URI parse(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.matches("tcp|mqtt|ssl|mqtts") || uri.getHost() == null) {
                throw new ConfigException("mqtt url", "expected tcp://host:port or ssl://host:port, was '" + url + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException("mqtt url", "is not a URL: '" + url + "'");
        }
    }
}
