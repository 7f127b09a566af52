package dev.signagefleet.common.mqtt;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserPropertiesBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import dev.signagefleet.common.SignageException;
import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.EventPublisher;
import dev.signagefleet.common.event.EventRejectedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Publishes events on MQTT 5 in CloudEvents binary mode: the data is the payload, the attributes
 * are user properties, the content type is the MQTT content type. Topic: {@code evt/{type}/{subject}}.
 */
public final class MqttEventPublisher implements EventPublisher {

    /** Prefix of every event topic; subscribers use e.g. {@code evt/signage.device.offline.v1/+}. */
    public static final String TOPIC_PREFIX = "evt/";

    private final Mqtt5AsyncClient client;
    private final Duration timeout;

    public MqttEventPublisher(Mqtt5AsyncClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    public static String topicFor(Event event) {
        String subject = event.subject() == null || event.subject().isBlank() ? "_" : event.subject();
        return TOPIC_PREFIX + event.type() + "/" + subject;
    }

    @Override
    public void publish(Event event) throws Exception {
        if (!client.getState().isConnected()) {
            throw new SignageException("MQTT client is not connected");
        }
        Mqtt5PublishResult result;
        try {
            result = client.publishWith()
                    .topic(topicFor(event))
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .contentType(Event.DATA_CONTENT_TYPE)
                    .userProperties(attributes(event))
                    .payload(event.data().toString().getBytes(StandardCharsets.UTF_8))
                    .send()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure(event, e.getCause());
        }
        if (result.getError().isPresent()) {
            throw failure(event, result.getError().get());
        }
    }

    /** A PUBACK with an error code is a refusal for good; anything else (connection lost) may pass. */
    private static RuntimeException failure(Event event, Throwable error) {
        if (error instanceof Mqtt5PubAckException refused) {
            return new EventRejectedException("broker refused the event on " + topicFor(event) + " with PUBACK "
                    + refused.getMqttMessage().getReasonCode()
                    + refused.getMqttMessage().getReasonString().map(r -> " (" + r + ")").orElse(""));
        }
        return new SignageException("broker did not acknowledge the event: " + error.getMessage(), error);
    }

    private static Mqtt5UserProperties attributes(Event event) {
        Mqtt5UserPropertiesBuilder props = Mqtt5UserProperties.builder()
                .add("specversion", Event.SPEC_VERSION)
                .add("id", event.id())
                .add("source", event.source())
                .add("type", event.type())
                .add("time", event.time().toString());
        if (event.subject() != null) {
            props.add("subject", event.subject());
        }
        if (event.correlationId() != null) {
            props.add("correlationid", event.correlationId());
        }
        if (event.traceparent() != null) {
            props.add("traceparent", event.traceparent());
        }
        return props.build();
    }
}
