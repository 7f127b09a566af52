package dev.signagefleet.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.signagefleet.agent.DeviceAgent;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.metrics.SimulatedMetrics;
import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.mqtt.MqttSettings;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.telemetry.fleet.DeviceView;
import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.testing.BrokerExtension;
import dev.signagefleet.testing.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real device agent through the real broker into the consumer and PostgreSQL: every status
 * the agent produced is in the history exactly once, also across a broker restart, and a cut link
 * turns the device offline through its Last Will.
 */
class AgentToDatabaseIT {

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();
    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private TelemetryConsumer consumer;
    private DeviceAgent agent;
    private final List<Path> buffers = new java.util.ArrayList<>();
    private final FleetQueries fleet = new FleetQueries(db.jdbi());

    @BeforeEach
    void startConsumer() {
        broker.accounts().addService(new BrokerPrincipal.Service(TelemetryConfig.SERVICE_ACCOUNT,
                TelemetryConsumer.BROKER_PUBLISH, List.of(), TelemetryConsumer.BROKER_SHARED_SUBSCRIPTIONS,
                TelemetryConfig.SHARED_GROUP), "svc");
        TelemetryConfig config = TelemetryConfig.from(Settings.of(Map.of()))
                .withMqtt(new MqttSettings(broker.url(), TelemetryConfig.SERVICE_ACCOUNT, new Secret("svc")))
                .withInstanceId("e2e");
        consumer = TelemetryConsumer.start(config, db.database(), Clock.systemUTC(), new SimpleMeterRegistry());
        await().atMost(Duration.ofSeconds(20)).until(consumer::isListening);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.stop();
        }
        consumer.close();
        buffers.forEach(dev.signagefleet.testing.TempDirs::deleteQuietly);
    }

    private DeviceAgent agent(String deviceId) throws Exception {
        broker.accounts().addDevice(deviceId, "tokyo-east", "pw-" + deviceId);
        Path buffer = Files.createTempDirectory("agent-buffer-");
        buffers.add(buffer);
        AgentConfig config = AgentConfig.parse(Map.of(
                "device.id", deviceId,
                "device.group", "tokyo-east",
                "mqtt.url", broker.url(),
                "mqtt.password", "pw-" + deviceId,
                "heartbeat.seconds", "0.2",
                "keepalive.seconds", "5",
                "reconnect.min.ms", "100",
                "reconnect.max.ms", "1000",
                "buffer.dir", buffer.toString()));
        return new DeviceAgent(config, new SimulatedMetrics(deviceId, 42, Clock.systemUTC()), Clock.systemUTC());
    }

    private static List<Long> storedSeqs(String deviceId) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT seq FROM status_history WHERE device_id = :id ORDER BY seq")
                .bind("id", deviceId).mapTo(Long.class).list());
    }

    @Test
    void everyStatusOfTheAgentIsStoredOnceAcrossABrokerRestart() throws Exception {
        agent = agent("e2e-restart");
        agent.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> storedSeqs("e2e-restart").size() >= 5);

        broker.stop();
        long seqAtOutage = agent.state().lastSeq();
        await().atMost(Duration.ofSeconds(20)).until(() -> agent.state().lastSeq() >= seqAtOutage + 10);
        assertThat(agent.state().bufferedCount()).isPositive();
        broker.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> agent.state().connected() && agent.state().bufferedCount() == 0);
        long lastSent = agent.state().lastSeq();
        await().atMost(Duration.ofSeconds(60)).until(() -> storedSeqs("e2e-restart").size() >= lastSent);
        List<Long> stored = storedSeqs("e2e-restart");
        // Every seq of this boot is there exactly once: no gap, no duplicate row.
        assertThat(stored.subList(0, (int) lastSent)).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(1, lastSent).boxed().toList());
        assertThat(stored).doesNotHaveDuplicates();
        DeviceView view = fleet.device("e2e-restart").orElseThrow();
        assertThat(view.connectivity().state()).isEqualTo("online");
        assertThat(view.latest().seq()).isGreaterThanOrEqualTo(lastSent);
    }

    @Test
    void aCutLinkTurnsTheDeviceOfflineThroughItsWill() throws Exception {
        DeviceAgent doomed = agent("e2e-will");
        doomed.start();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fleet.device("e2e-will").map(d -> d.connectivity().state().equals("online")).orElse(false));
        doomed.kill();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fleet.device("e2e-will").orElseThrow().connectivity().state().equals("offline"));
        assertThat(fleet.device("e2e-will").orElseThrow().connectivity().reason()).isEqualTo("connection lost (last will)");
        assertThat(fleet.events("e2e-will", 10)).extracting(FleetQueries.DeviceEvent::type)
                .containsExactly("signage.device.offline.v1", "signage.device.online.v1");
    }

    @Test
    void aCleanStopTurnsTheDeviceOfflineWithItsReason() throws Exception {
        DeviceAgent leaving = agent("e2e-clean");
        leaving.start();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fleet.device("e2e-clean").map(d -> d.connectivity().state().equals("online")).orElse(false));
        leaving.stop();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                fleet.device("e2e-clean").orElseThrow().connectivity().state().equals("offline"));
        assertThat(fleet.device("e2e-clean").orElseThrow().connectivity().reason()).isEqualTo("agent shut down cleanly");
    }
}
