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
import dev.signagefleet.telemetry.ingest.BatchApplier;
import dev.signagefleet.telemetry.ingest.SqsTelemetrySource;
import dev.signagefleet.telemetry.ingest.TelemetryDecoder;
import dev.signagefleet.telemetry.state.StateRules;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
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

    /** What the topic rule {@code SELECT encode(*, 'base64') AS payload, topic() AS mqttTopic, ...} sends for a message. */
    private static String forwarded(String topic, String payload) {
        return "{\"payload\":\"" + Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + "\",\"mqttTopic\":\"" + topic + "\",\"receivedAtMillis\":" + System.currentTimeMillis() + "}";
    }

    private static String forwardedStatus(String deviceId, long seq) {
        return forwarded("dt/signage/" + deviceId + "/status", "{\"v\":1,\"deviceId\":\"" + deviceId + "\",\"bootId\":\"b\",\"seq\":"
                + seq + ",\"sentAt\":\"" + Instant.now() + "\"}");
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
            sqs.client().sendMessage(b -> b.queueUrl(url).messageBody(forwarded("dt/signage/sqs-a/presence",
                    "{\"v\":1,\"deviceId\":\"sqs-a\",\"bootId\":\"b\",\"state\":\"online\",\"at\":\"" + Instant.now() + "\",\"conn\":1}")));
            sqs.client().sendMessage(b -> b.queueUrl(url).messageBody(forwardedStatus("sqs-a", 2)));
            // Not JSON at all, as a broken terminal may publish: it arrives byte for byte and is quarantined under its topic.
            sqs.client().sendMessage(b -> b.queueUrl(url).messageBody(forwarded("dt/signage/sqs-a/status", "\u0001garbage")));
            // Not the topic rule's message: quarantined under the queue's name.
            sqs.client().sendMessage(b -> b.queueUrl(url).messageBody("{\"deviceId\":\"sqs-a\",\"seq\":3}"));

            await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM status_history WHERE device_id = 'sqs-a'") == 2
                    && count("SELECT count(*) FROM quarantined_messages WHERE topic = 'sqs:telemetry-forwarded'") == 1
                    && count("SELECT count(*) FROM quarantined_messages WHERE topic = 'dt/signage/sqs-a/status'") == 1);
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

    @Test
    void whileTheDatabaseIsDownNothingIsDeletedAndAnotherConsumerStoresItAfterwards() throws Exception {
        String url = queue("telemetry-db-down");
        for (int seq = 1; seq <= 5; seq++) {
            long s = seq;
            sqs.client().sendMessage(b -> b.queueUrl(url).messageBody(forwardedStatus("sqs-c", s)));
        }
        // A consumer whose database is unreachable: it receives, cannot store, and must not delete.
        dev.signagefleet.common.db.DatabaseConfig unreachable = new dev.signagefleet.common.db.DatabaseConfig(
                "jdbc:postgresql://127.0.0.1:" + dev.signagefleet.testing.FreePorts.next() + "/signage", "postgres", new Secret(""), 2);
        try (dev.signagefleet.common.db.Database down = dev.signagefleet.common.db.Database.connectLazily(unreachable,
                Duration.ofMillis(300))) {
            SqsTelemetrySource blocked = new SqsTelemetrySource(sqs.client(), url,
                    new TelemetryDecoder(16_384, Clock.systemUTC()),
                    new BatchApplier(down.jdbi(), new StateRules(Duration.ofSeconds(30))), Clock.systemUTC(),
                    new SimpleMeterRegistry(), outcome -> { }, Duration.ofSeconds(3));
            blocked.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> inFlight(url) > 0);
            Thread.sleep(4_000); // longer than the visibility: the messages come back, still not deletable
            assertThat(waiting(url)).as("nothing deleted while nothing could be stored").isEqualTo(5);
            blocked.close();
        }
        assertThat(count("SELECT count(*) FROM status_history WHERE device_id = 'sqs-c'")).isZero();

        try (TelemetryConsumer consumer = consumer("sqs-4", url)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM status_history WHERE device_id = 'sqs-c'") == 5);
            await().atMost(Duration.ofSeconds(10)).until(() -> waiting(url) == 0);
        }
    }

    private static long inFlight(String queueUrl) {
        return Long.parseLong(sqs.client().getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }
}
