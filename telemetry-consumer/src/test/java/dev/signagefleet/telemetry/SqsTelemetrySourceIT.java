package dev.signagefleet.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.mqtt.MqttSettings;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.testing.BrokerExtension;
import dev.signagefleet.testing.PostgresExtension;
import dev.signagefleet.testing.QueueServerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Telemetry from an SQS queue, as an AWS IoT topic rule forwards it (the message's JSON with the MQTT
 * topic added), against the real ElasticMQ and PostgreSQL: stored as from the broker, deleted from
 * the queue only once stored, a message without a topic quarantined, and two consumers competing on
 * the queue store each status once.
 */
class SqsTelemetrySourceIT {

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();
    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();
    @RegisterExtension
    static final QueueServerExtension sqs = new QueueServerExtension();

    private static final String SERVICE_PASSWORD = "sqs-source-it";

    private TelemetryConsumer consumer(String instance, String queueUrl) {
        broker.accounts().addService(new BrokerPrincipal.Service(TelemetryConfig.SERVICE_ACCOUNT, TelemetryConsumer.BROKER_PUBLISH,
                List.of(), TelemetryConsumer.BROKER_SHARED_SUBSCRIPTIONS, TelemetryConfig.SHARED_GROUP), SERVICE_PASSWORD);
        TelemetryConfig config = TelemetryConfig.from(Settings.of(Map.of()))
                .withMqtt(new MqttSettings(broker.url(), TelemetryConfig.SERVICE_ACCOUNT, new Secret(SERVICE_PASSWORD)))
                .withInstanceId(instance);
        return TelemetryConsumer.start(config, db.database(), Clock.systemUTC(), new SimpleMeterRegistry(),
                Optional.of(new TelemetryConsumer.SqsSource(sqs.client(), queueUrl, Duration.ofSeconds(30))));
    }

    private static String queue(String name) {
        return sqs.client().createQueue(b -> b.queueName(name)).queueUrl();
    }

    /** What the topic rule {@code SELECT *, topic() AS mqttTopic, timestamp() AS receivedAtMillis} sends for a status. */
    private static String forwardedStatus(String deviceId, long seq) {
        return "{\"v\":1,\"deviceId\":\"" + deviceId + "\",\"bootId\":\"b\",\"seq\":" + seq + ",\"sentAt\":\"" + Instant.now()
                + "\",\"mqttTopic\":\"dt/signage/" + deviceId + "/status\",\"receivedAtMillis\":" + System.currentTimeMillis() + "}";
    }

    private static long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static long waiting(String queueUrl) {
        Map<QueueAttributeName, String> attributes = sqs.client().getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Test
    void forwardedStatusAndPresenceAreStoredAndDeletedAndAMessageWithoutTopicIsQuarantined() {
        String url = queue("telemetry-forwarded");
        try (TelemetryConsumer consumer = consumer("sqs-1", url)) {
            await().atMost(Duration.ofSeconds(20)).until(consumer::isListening);
            sqs.client().sendMessage(b -> b.queueUrl(url).messageBody(forwardedStatus("sqs-a", 1)));
            sqs.client().sendMessage(b -> b.queueUrl(url).messageBody("{\"v\":1,\"deviceId\":\"sqs-a\",\"bootId\":\"b\","
                    + "\"state\":\"online\",\"at\":\"" + Instant.now() + "\",\"conn\":1,\"mqttTopic\":\"dt/signage/sqs-a/presence\"}"));
            // An older rule forwarded status only and named the device instead of the topic.
            sqs.client().sendMessage(b -> b.queueUrl(url).messageBody(forwardedStatus("sqs-a", 2)
                    .replace("\"mqttTopic\":\"dt/signage/sqs-a/status\"", "\"topicDeviceId\":\"sqs-a\"")));
            sqs.client().sendMessage(b -> b.queueUrl(url).messageBody("{\"deviceId\":\"sqs-a\",\"seq\":3}"));

            await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM status_history WHERE device_id = 'sqs-a'") == 2
                    && count("SELECT count(*) FROM quarantined_messages WHERE topic = 'sqs:telemetry-forwarded'") == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> count(
                    "SELECT count(*) FROM device_state WHERE device_id = 'sqs-a' AND presence_state = 'online' AND presence_conn = 1") == 1);
            String connectivity = db.jdbi().withHandle(h -> h.createQuery(
                    "SELECT connectivity FROM device_state WHERE device_id = 'sqs-a'").mapTo(String.class).one());
            assertThat(connectivity).isEqualTo("online");
            await().atMost(Duration.ofSeconds(10)).until(() -> waiting(url) == 0);
        }
    }

    @Test
    void twoConsumersCompetingOnTheQueueStoreEachStatusOnce() {
        String url = queue("telemetry-shared");
        List<TelemetryConsumer> consumers = new ArrayList<>(List.of(consumer("sqs-2", url), consumer("sqs-3", url)));
        try {
            for (int seq = 1; seq <= 300; seq++) {
                long s = seq;
                sqs.client().sendMessage(b -> b.queueUrl(url).messageBody(forwardedStatus("sqs-b", s)));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM status_history WHERE device_id = 'sqs-b'") == 300);
            await().atMost(Duration.ofSeconds(10)).until(() -> waiting(url) == 0);
            assertThat(count("SELECT seq FROM device_state WHERE device_id = 'sqs-b'")).isEqualTo(300);
        } finally {
            consumers.forEach(TelemetryConsumer::close);
        }
    }
}
