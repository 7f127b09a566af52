package dev.signagefleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.signagefleet.testing.BrokerExtension;
import dev.signagefleet.testing.TestBrokerAccounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A backend-side MQTT client (HiveMQ client, observer account) that watches what the agents
 * publish and sends them commands. Its session is persistent and it reconnects by itself, so it
 * misses nothing across a broker restart.
 */
final class Observer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** One message as the observer received it. */
    record Received(String topic, String payload, boolean retained) {
        JsonNode json() {
            return json(payload);
        }

        static JsonNode json(String text) {
            try {
                return JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + text, e);
            }
        }
    }

    private final BrokerExtension broker;
    private final Mqtt5AsyncClient client;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private Observer(BrokerExtension broker, Mqtt5AsyncClient client) {
        this.broker = broker;
        this.client = client;
    }

    /** Connects with a persistent session and subscribes to {@code filters}. */
    static Observer watching(BrokerExtension broker, String... filters) throws Exception {
        Mqtt5AsyncClient client = builder(broker, "observer-")
                .automaticReconnect().initialDelay(50, TimeUnit.MILLISECONDS).maxDelay(300, TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect()
                .buildAsync();
        Observer observer = new Observer(broker, client);
        // registered before connecting, else messages delivered at (re)connect time are lost
        client.publishes(MqttGlobalPublishFilter.ALL, observer::onPublish);
        client.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().get(10, TimeUnit.SECONDS);
        for (String filter : filters) {
            client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
        }
        return observer;
    }

    private static Mqtt5ClientBuilder builder(BrokerExtension broker, String idPrefix) {
        return Mqtt5Client.builder()
                .identifier(idPrefix + UUID.randomUUID())
                .serverHost("127.0.0.1")
                .serverPort(broker.port())
                .simpleAuth().username(TestBrokerAccounts.OBSERVER)
                .password(TestBrokerAccounts.OBSERVER_PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
    }

    private void onPublish(Mqtt5Publish publish) {
        received.add(new Received(publish.getTopic().toString(),
                new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8), publish.isRetain()));
    }

    List<Received> on(String topic) {
        return received.stream().filter(message -> message.topic().equals(topic)).toList();
    }

    List<JsonNode> jsonOn(String topic) {
        return on(topic).stream().map(Received::json).toList();
    }

    void publish(String topic, String payload, boolean retain) throws Exception {
        client.publishWith().topic(topic).payload(payload.getBytes(StandardCharsets.UTF_8))
                .qos(MqttQos.AT_LEAST_ONCE).retain(retain).send().get(10, TimeUnit.SECONDS);
    }

    /** The retained message on {@code topic}, as a fresh subscriber would get it now. */
    Optional<JsonNode> retained(String topic) throws InterruptedException {
        Mqtt5BlockingClient fresh = builder(broker, "retained-reader-").buildBlocking();
        fresh.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = fresh.publishes(MqttGlobalPublishFilter.ALL)) {
            fresh.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            // a retained message arrives right after the SUBACK; nothing arriving means none is retained
            Optional<Mqtt5Publish> message = publishes.receive(2, TimeUnit.SECONDS);
            message.ifPresent(m -> assertThat(m.isRetain()).isTrue());
            return message.map(m -> Received.json(new String(m.getPayloadAsBytes(), StandardCharsets.UTF_8)));
        } finally {
            fresh.disconnect();
        }
    }

    @Override
    public void close() throws InterruptedException, ExecutionException, TimeoutException {
        if (client.getState().isConnected()) {
            client.disconnect().get(10, TimeUnit.SECONDS);
        }
    }
}
