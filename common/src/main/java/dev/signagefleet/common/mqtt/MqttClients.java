package dev.signagefleet.common.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds HiveMQ MQTT 5 clients for services: server, TLS, credentials, reconnect and logging in one place. */
public final class MqttClients {

    private static final Logger log = LoggerFactory.getLogger(MqttClients.class);

    private MqttClients() {
    }

    /**
     * A client builder that reconnects by itself (1 s doubling to 30 s) and logs connection changes.
     * Callers add what is specific to them (session, subscriptions) and build.
     */
    public static Mqtt5ClientBuilder builder(MqttSettings settings, String clientId) {
        return builder(settings, clientId, () -> false);
    }

    /**
     * As {@link #builder(MqttSettings, String)}, and stops reconnecting once {@code closing} says so:
     * {@code disconnect()} of a client that is between two reconnect attempts fails ("not
     * connected") and would leave it retrying forever after its owner stopped.
     */
    public static Mqtt5ClientBuilder builder(MqttSettings settings, String clientId, BooleanSupplier closing) {
        Mqtt5ClientBuilder builder = MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId)
                .serverHost(settings.host())
                .serverPort(settings.port())
                .automaticReconnect()
                .initialDelay(1, TimeUnit.SECONDS)
                .maxDelay(30, TimeUnit.SECONDS)
                .applyAutomaticReconnect()
                .addConnectedListener(ctx -> log.info("MQTT client {} connected to {}:{}",
                        clientId, settings.host(), settings.port()))
                .addDisconnectedListener(ctx -> {
                    if (closing.getAsBoolean()) {
                        ctx.getReconnector().reconnect(false);
                        log.info("MQTT client {} stopped", clientId);
                    } else if (ctx.getSource() == MqttDisconnectSource.USER) {
                        log.info("MQTT client {} disconnected from {}:{}", clientId, settings.host(), settings.port());
                    } else {
                        log.warn("MQTT client {} lost its connection to {}:{} ({}); reconnecting", clientId,
                                settings.host(), settings.port(), describe(ctx.getCause()));
                    }
                });
        // With a client certificate and no password the certificate is the login (AWS IoT Core): no user name either.
        if (!settings.certificateOnly()) {
            builder = builder.simpleAuth()
                    .username(settings.username())
                    .password(settings.password().value().getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth();
        }
        if (settings.tlsFiles().isPresent()) {
            MqttClientCertificates.Factories tls = MqttClientCertificates.load(settings.tlsFiles().get());
            var ssl = builder.sslConfig().trustManagerFactory(tls.trust());
            builder = (tls.keys() == null ? ssl : ssl.keyManagerFactory(tls.keys())).applySslConfig();
            log.info("MQTT client {} uses TLS{}{}", clientId, tls.keys() == null ? "" : " with a client certificate",
                    settings.certificateOnly() ? " as its only login" : " and its user name and password");
        } else if (settings.tls()) {
            builder = builder.sslWithDefaultConfig();
        }
        return builder;
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
