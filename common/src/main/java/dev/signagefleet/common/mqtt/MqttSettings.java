package dev.signagefleet.common.mqtt;

import dev.signagefleet.common.config.ConfigException;
import dev.signagefleet.common.config.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * How a service reaches the MQTT broker.
 *
 * @param url      {@code tcp://host:1883} or {@code ssl://host:8883} ({@code mqtt://} and {@code mqtts://} too)
 * @param username service account name on the broker
 * @param password service account secret
 */
public record MqttSettings(String url, String username, Secret password) {

    public MqttSettings {
        parse(url);
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
