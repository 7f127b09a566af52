package dev.signagefleet.contentregistry.assignment;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import dev.signagefleet.common.SignageException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Publishes content assignments on the MQTT broker with the content-registry's service account. */
public final class MqttAssignmentPublisher implements AssignmentPublisher {

    private final Mqtt5AsyncClient client;
    private final Duration timeout;

    public MqttAssignmentPublisher(Mqtt5AsyncClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    @Override
    public void publishRetained(String topic, byte[] payload) throws Exception {
        publish(topic, payload, true);
    }

    /** Asks one terminal to fetch its assigned content again now (QoS 1, not retained). */
    public void askToRetry(String deviceId) throws Exception {
        publish(ContentTopics.retryForDevice(deviceId), "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
    }

    /**
     * Tells one terminal the group it was moved to (QoS 1, retained: a terminal that is away gets it
     * when it connects, and every later connect confirms it).
     */
    public void tellGroup(String deviceId, String group) throws Exception {
        publish(ContentTopics.groupOfDevice(deviceId), ContentTopics.groupPayload(group), true);
    }

    private void publish(String topic, byte[] payload, boolean retain) throws Exception {
        if (!client.getState().isConnected()) {
            throw new SignageException("the content registry is not connected to the MQTT broker; the message on "
                    + topic + " was not sent (an assignment is sent again when its event is retried)");
        }
        Mqtt5PublishResult result = client.publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(retain)
                .contentType("application/json")
                .payload(payload)
                .send()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (result.getError().isPresent()) {
            throw new SignageException("the broker did not accept the message on " + topic + ": "
                    + result.getError().get().getMessage(), result.getError().get());
        }
    }
}
