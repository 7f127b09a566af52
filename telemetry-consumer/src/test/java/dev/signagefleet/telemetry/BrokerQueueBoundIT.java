package dev.signagefleet.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.mqtt.MqttSettings;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.telemetry.gaps.StatusGapSweeper;
import dev.signagefleet.testing.BrokerExtension;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker's queue for the shared subscription is sized for the fleet: a consumer that stops
 * taking messages during a burst loses nothing while the burst fits the bound, and what does not
 * fit is counted, never lost silently.
 */
class BrokerQueueBoundIT {

    private static final int QUEUE_BOUND = 5_000;
    private static final int RECEIVE_MAXIMUM = 500;

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension(QUEUE_BOUND);
    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private final MutableClock clock = MutableClock.startingNow();
    private TelemetryConsumer consumer;

    @BeforeEach
    void start() {
        broker.accounts().addService(new BrokerPrincipal.Service(TelemetryConfig.SERVICE_ACCOUNT,
                TelemetryConsumer.BROKER_PUBLISH, List.of(), TelemetryConsumer.BROKER_SHARED_SUBSCRIPTIONS,
                TelemetryConfig.SHARED_GROUP), "pw");
        TelemetryConfig config = TelemetryConfig.from(Settings.of(Map.of(
                        "SIGNAGE_TELEMETRY_RECEIVE_MAXIMUM", String.valueOf(RECEIVE_MAXIMUM))))
                .withMqtt(new MqttSettings(broker.url(), TelemetryConfig.SERVICE_ACCOUNT, new Secret("pw")))
                .withInstanceId("bound");
        consumer = TelemetryConsumer.start(config, db.database(), clock, new SimpleMeterRegistry());
        await().atMost(Duration.ofSeconds(20)).until(consumer::isListening);
    }

    @AfterEach
    void stop() {
        consumer.close();
    }

    private static long stored(String deviceId) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM status_history WHERE device_id = :id")
                .bind("id", deviceId).mapTo(Long.class).one());
    }

    private void awaitOrExplain(String deviceId, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(Duration.ofSeconds(60)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("Not all of the burst arrived within 60 s: " + state(deviceId), e);
        }
    }

    /** What the test saw, for the failure message: stored rows, the consumer's backlog, the broker's counters. */
    private String state(String deviceId) {
        StringBuilder counters = new StringBuilder();
        broker.broker().metrics().getMetrics().forEach((name, metric) -> {
            if ((name.contains("dropped") || name.contains("queued") || name.contains("inflight"))
                    && metric instanceof com.codahale.metrics.Counting counting && counting.getCount() > 0) {
                counters.append(' ').append(name).append('=').append(counting.getCount());
            } else if ((name.contains("queued") || name.contains("inflight")) && metric instanceof com.codahale.metrics.Gauge<?> gauge) {
                counters.append(' ').append(name).append('=').append(gauge.getValue());
            }
        });
        return deviceId + " (stored " + stored(deviceId) + ", waiting in the consumer " + consumer.ingest().queued()
                + ", broker:" + counters + ")";
    }

    private static void burst(String deviceId, int count) {
        broker.accounts().addDevice(deviceId, "g", "pw");
        Mqtt5AsyncClient client = Mqtt5Client.builder().identifier(deviceId).serverHost("127.0.0.1")
                .serverPort(broker.port()).simpleAuth().username(deviceId)
                .password("pw".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
        client.connect().join();
        Instant t = Instant.now();
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (int seq = 1; seq <= count; seq++) {
            acks.add(client.publishWith().topic("dt/signage/" + deviceId + "/status").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(TerminalClient.statusJson(deviceId, "burst", seq, t.plusMillis(seq))
                            .getBytes(StandardCharsets.UTF_8))
                    .send());
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        client.disconnect().join();
    }

    @Test
    void pausedConsumerLosesNothingWhenTheBurstFitsTheQueue() {
        long droppedBefore = broker.broker().droppedMessages();
        consumer.ingest().pause();
        burst("burst-fits", 4_000);
        consumer.ingest().resume();
        awaitOrExplain("burst-fits", () -> stored("burst-fits") == 4_000);
        assertThat(broker.broker().droppedMessages()).isEqualTo(droppedBefore);
    }

    @Test
    void whatDoesNotFitTheQueueIsCountedAsDropped() {
        long droppedBefore = broker.broker().droppedMessages();
        consumer.ingest().pause();
        burst("burst-overflows", 8_000);
        consumer.ingest().resume();
        awaitOrExplain("burst-overflows", () ->
                stored("burst-overflows") + (broker.broker().droppedMessages() - droppedBefore) == 8_000);
        long dropped = broker.broker().droppedMessages() - droppedBefore;
        assertThat(dropped).isPositive();
        assertThat(stored("burst-overflows")).isGreaterThanOrEqualTo(QUEUE_BOUND);

        // The next status shows the consumer the gap the overflow left; after the grace it is announced
        // with exactly the number of statuses the broker dropped.
        Mqtt5AsyncClient next = Mqtt5Client.builder().identifier("burst-overflows").serverHost("127.0.0.1")
                .serverPort(broker.port()).simpleAuth().username("burst-overflows")
                .password("pw".getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildAsync();
        next.connect().join();
        next.publishWith().topic("dt/signage/burst-overflows/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(TerminalClient.statusJson("burst-overflows", "burst", 8_001, Instant.now())
                        .getBytes(StandardCharsets.UTF_8)).send().join();
        next.disconnect().join();
        awaitOrExplain("burst-overflows", () -> stored("burst-overflows") == 8_000 - dropped + 1);
        clock.advance(StatusGapSweeper.DEFAULT_GRACE.plusSeconds(1));
        consumer.gaps().sweep(); // the consumer's own schedule may have swept first: judge by what was stored
        List<Long> missing = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT missing FROM status_gaps WHERE device_id = 'burst-overflows' AND before_seq = 8001 AND announced_at IS NOT NULL")
                .mapTo(Long.class).list());
        assertThat(missing).containsExactly(dropped);
    }
}
