package dev.signagefleet.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.mqtt.MqttSettings;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.telemetry.fleet.DeviceView;
import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.telemetry.registry.NewDevice;
import dev.signagefleet.testing.BrokerExtension;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import dev.signagefleet.testing.TestBrokerAccounts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The telemetry flow against a real broker and a real PostgreSQL: MQTT in, state, history and events out. */
class TelemetryConsumerIT {

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();
    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static final String SERVICE_PASSWORD = "telemetry-secret";

    private final MutableClock clock = MutableClock.startingNow();
    private TelemetryConsumer consumer;
    private FleetQueries fleet;
    private String deviceId;
    private String credential;

    @BeforeEach
    void start() {
        broker.accounts().addService(new BrokerPrincipal.Service(TelemetryConfig.SERVICE_ACCOUNT,
                TelemetryConsumer.BROKER_PUBLISH, java.util.List.of(), TelemetryConsumer.BROKER_SHARED_SUBSCRIPTIONS,
                TelemetryConfig.SHARED_GROUP), SERVICE_PASSWORD);
        consumer = startConsumer("it");
        fleet = new FleetQueries(db.jdbi());
        deviceId = "lobby-" + UUID.randomUUID().toString().substring(0, 8);
        DeviceRegistry registry = new DeviceRegistry(db.jdbi(), clock);
        credential = registry.register(new NewDevice(deviceId, "tokyo-east", "Lobby", "1F"), "test").credential();
        broker.accounts().addDevice(deviceId, "tokyo-east", credential);
    }

    @AfterEach
    void stop() {
        if (consumer != null) {
            consumer.close();
        }
    }

    private TelemetryConsumer startConsumer(String instance) {
        TelemetryConfig config = TelemetryConfig.from(Settings.of(Map.of()))
                .withMqtt(new MqttSettings(broker.url(), TelemetryConfig.SERVICE_ACCOUNT, new Secret(SERVICE_PASSWORD)))
                .withInstanceId(instance)
                .withHeartbeat(Duration.ofSeconds(30));
        TelemetryConsumer started = TelemetryConsumer.start(config, db.database(), clock, new SimpleMeterRegistry());
        await().atMost(Duration.ofSeconds(20)).until(started::isListening);
        return started;
    }

    private DeviceView device() {
        return fleet.device(deviceId).orElseThrow();
    }

    private long historyRows() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM status_history WHERE device_id = :id")
                .bind("id", deviceId).mapTo(Long.class).one());
    }

    @Test
    void statusBecomesLatestStateAndHistoryAndTheDeviceGoesOnline() {
        Instant sentAt = Instant.parse("2026-11-24T01:02:03.456Z");
        try (TerminalClient terminal = new TerminalClient(broker.port(), deviceId, credential)) {
            terminal.status("boot-a", 1, sentAt);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> device().latest() != null);
        DeviceView view = device();
        assertThat(view.connectivity().state()).isEqualTo("online");
        assertThat(view.latest().seq()).isEqualTo(1);
        assertThat(view.latest().sentAt()).isEqualTo(sentAt);
        assertThat(view.latest().cpuLoad()).isEqualTo(0.25);
        assertThat(view.latest().os()).isEqualTo("Linux 6.1.0 aarch64");
        assertThat(historyRows()).isEqualTo(1);
        assertThat(fleet.events(deviceId, 10)).extracting(FleetQueries.DeviceEvent::type)
                .containsExactly("signage.device.online.v1");
    }

    @Test
    void duplicateStatusIsStoredOnce() {
        Instant sentAt = Instant.parse("2026-11-24T01:00:00Z");
        try (TerminalClient terminal = new TerminalClient(broker.port(), deviceId, credential)) {
            terminal.status("boot-a", 7, sentAt);
            terminal.status("boot-a", 7, sentAt);
            terminal.status("boot-a", 8, sentAt.plusSeconds(30));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> device().latest() != null && device().latest().seq() == 8);
        assertThat(historyRows()).isEqualTo(2);
    }

    @Test
    void outOfOrderStatusNeverMovesStateBackwards() {
        Instant t = Instant.parse("2026-11-24T02:00:00Z");
        try (TerminalClient terminal = new TerminalClient(broker.port(), deviceId, credential)) {
            terminal.status("boot-a", 5, t.plusSeconds(150));
            terminal.status("boot-a", 3, t.plusSeconds(90));
            terminal.status("boot-old", 99, t.minusSeconds(600));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> historyRows() == 3);
        assertThat(device().latest().bootId()).isEqualTo("boot-a");
        assertThat(device().latest().seq()).isEqualTo(5);
    }

    @Test
    void malformedPayloadsAreQuarantinedAndTheNextMessageIsProcessed() {
        String topic = "dt/signage/" + deviceId + "/status";
        try (TerminalClient terminal = new TerminalClient(broker.port(), deviceId, credential)) {
            terminal.publish(topic, "this is not json");
            terminal.publish(topic, "{\"v\":1,\"deviceId\":\"someone-else\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"2026-11-24T00:00:00Z\"}");
            terminal.publish(topic, "{\"v\":1,\"deviceId\":\"" + deviceId + "\",\"bootId\":\"b\",\"seq\":\"one\",\"sentAt\":\"2026-11-24T00:00:00Z\"}");
            terminal.publish(topic, new byte[20_000]);
            terminal.status("boot-b", 1, Instant.parse("2026-11-24T00:00:00Z"));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> device().latest() != null);
        var reasons = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT reason FROM quarantined_messages WHERE device_id = :id ORDER BY id")
                .bind("id", deviceId).mapTo(String.class).list());
        assertThat(reasons).hasSize(4);
        assertThat(reasons.get(0)).startsWith("not valid JSON");
        assertThat(reasons.get(1)).contains("does not match the topic");
        assertThat(reasons.get(2)).isEqualTo("seq must be a whole number");
        assertThat(reasons.get(3)).startsWith("payload too large: 20000 bytes");
        byte[] raw = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT payload FROM quarantined_messages WHERE device_id = :id ORDER BY id LIMIT 1")
                .bind("id", deviceId).mapTo(byte[].class).one());
        assertThat(new String(raw, StandardCharsets.UTF_8)).isEqualTo("this is not json");
    }

    @Test
    void willTakesTheDeviceOfflineAndTheEventIsPublishedOnTheBroker() throws Exception {
        Mqtt5BlockingClient observer = Mqtt5Client.builder().identifier("observer-" + deviceId)
                .serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(TestBrokerAccounts.OBSERVER)
                .password(TestBrokerAccounts.OBSERVER_PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        observer.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes events = observer.publishes(MqttGlobalPublishFilter.ALL)) {
            observer.subscribeWith().topicFilter("evt/signage.device.offline.v1/" + deviceId).qos(MqttQos.AT_LEAST_ONCE).send();
            Instant t = clock.instant();
            try (TerminalClient terminal = new TerminalClient(broker.port(), deviceId, credential)) {
                terminal.presence("boot-c", true, t, 1, "connected");
                terminal.presence("boot-c", false, t, 1, "connection-lost");
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> device().connectivity().state().equals("offline"));
            assertThat(device().connectivity().reason()).isEqualTo("connection lost (last will)");
            Optional<Mqtt5Publish> event = events.receive(15, TimeUnit.SECONDS);
            assertThat(event).isPresent();
            assertThat(event.get().getUserProperties().asList()).anySatisfy(p -> {
                assertThat(p.getName().toString()).isEqualTo("type");
                assertThat(p.getValue().toString()).isEqualTo("signage.device.offline.v1");
            });
            assertThat(new String(event.get().getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .contains("\"deviceId\":\"" + deviceId + "\"").contains("\"previous\":\"online\"");
        } finally {
            observer.disconnect();
        }
    }

    @Test
    void silentDeviceGoesStaleAfterTwoHeartbeatsAndOfflineAfterThree() {
        try (TerminalClient terminal = new TerminalClient(broker.port(), deviceId, credential)) {
            terminal.status("boot-d", 1, clock.instant());
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> device().connectivity().state().equals("online"));
        clock.advance(Duration.ofSeconds(61));
        consumer.sweeper().sweep();
        assertThat(device().connectivity().state()).isEqualTo("stale");
        clock.advance(Duration.ofSeconds(30));
        consumer.sweeper().sweep();
        assertThat(device().connectivity().state()).isEqualTo("offline");
        assertThat(device().connectivity().reason()).isEqualTo("no message for 91 s");
        assertThat(fleet.events(deviceId, 10)).extracting(FleetQueries.DeviceEvent::type).containsExactly(
                "signage.device.offline.v1", "signage.device.stale.v1", "signage.device.online.v1");
    }

    @Test
    void consumerKilledBeforeCommitLosesNothing() {
        consumer.ingest().pause();
        Instant t = clock.instant();
        try (TerminalClient terminal = new TerminalClient(broker.port(), deviceId, credential)) {
            for (int seq = 1; seq <= 50; seq++) {
                terminal.status("boot-e", seq, t.plusSeconds(seq));
            }
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> consumer.ingest().queued() > 0);
        consumer.close();
        consumer = null;
        assertThat(historyRows()).isZero();
        consumer = startConsumer("it");
        await().atMost(Duration.ofSeconds(30)).until(() -> historyRows() == 50);
        assertThat(device().latest().seq()).isEqualTo(50);
    }

    @Test
    void aSeqGapIsAnnouncedOnceWithWhatIsStillMissingAndAGapFilledLateIsForgotten() {
        Instant t = clock.instant();
        try (TerminalClient terminal = new TerminalClient(broker.port(), deviceId, credential)) {
            for (long seq : new long[] {1, 2, 6, 3, 7, 9, 8}) { // 4 and 5 never come; 3 and 8 come late
                terminal.status("boot-g", seq, t.plusSeconds(seq));
            }
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> historyRows() == 7);
        consumer.gaps().sweep();
        assertThat(gapEvents()).as("not judged within the grace period").isZero();

        clock.advance(dev.signagefleet.telemetry.gaps.StatusGapSweeper.DEFAULT_GRACE.plusSeconds(1));
        consumer.gaps().sweep(); // the consumer's own schedule may have swept first: judge by what was stored
        consumer.gaps().sweep();

        assertThat(gapEvents()).as("announced once").isEqualTo(1);
        List<String> gaps = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT after_seq || '..' || before_seq || ' missing ' || missing FROM status_gaps WHERE device_id = :id")
                .bind("id", deviceId).mapTo(String.class).list());
        assertThat(gaps).as("the filled gap 7..9 is forgotten, the open one kept with what is missing")
                .containsExactly("2..6 missing 2");
    }

    private long gapEvents() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM device_events WHERE device_id = :id AND type = :type")
                .bind("id", deviceId).bind("type", dev.signagefleet.telemetry.gaps.StatusGapSweeper.GAP_TYPE).mapTo(Long.class).one());
    }
}
