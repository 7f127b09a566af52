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
public record MqttSettings(String url, String username, Secret password, Optional<ClientCertificate> certificate) {

    /**
     * A client certificate for {@code ssl://} (mutual TLS, as AWS IoT Core requires), PEM files.
     *
     * @param caFile the CA that signed the broker's certificate; empty = the JDK's trusted CAs
     */
    public record ClientCertificate(Path certificateFile, Path privateKeyFile, Optional<Path> caFile) {
    }

    public MqttSettings {
        String scheme = parse(url).getScheme().toLowerCase(Locale.ROOT);
        if (certificate.isPresent() && !scheme.equals("ssl") && !scheme.equals("mqtts")) {
            throw new ConfigException("mqtt url", "a client certificate needs an ssl:// URL, was '" + url + "'");
        }
    }

    public MqttSettings(String url, String username, Secret password) {
        this(url, username, password, Optional.empty());
    }

    /**
     * The settings with the client certificate of SIGNAGE_MQTT_CERT_FILE, SIGNAGE_MQTT_KEY_FILE and
     * SIGNAGE_MQTT_CA_FILE, when they are set.
     */
    public MqttSettings withCertificateFrom(dev.signagefleet.common.config.Settings env) {
        Optional<String> cert = env.optional("SIGNAGE_MQTT_CERT_FILE").filter(v -> !v.isBlank());
        if (cert.isEmpty()) {
            return this;
        }
        return new MqttSettings(url, username, password, Optional.of(new ClientCertificate(Path.of(cert.get()),
                Path.of(env.required("SIGNAGE_MQTT_KEY_FILE")),
                env.optional("SIGNAGE_MQTT_CA_FILE").filter(v -> !v.isBlank()).map(Path::of))));
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
