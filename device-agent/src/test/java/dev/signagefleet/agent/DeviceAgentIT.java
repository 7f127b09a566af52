package dev.signagefleet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.agent.command.Command;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.connection.ConnectionSupervisor;
import dev.signagefleet.agent.metrics.LinuxMetrics;
import dev.signagefleet.agent.status.StatusForwarder;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.testing.BrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The agent against a real broker that stays up: what it publishes, presence, commands, refusals. */
class DeviceAgentIT {

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    private static final List<String> STATUS_FIELDS = List.of("v", "deviceId", "bootId", "seq", "sentAt", "agentVersion",
            "uptimeSec", "cpuLoad", "memUsedMb", "memTotalMb", "diskFreeMb", "temperatureC", "display", "contentVersion",
            "ip", "os");
    private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    @RegisterExtension
    final AgentFixture fixture = new AgentFixture(broker);

    @Test
    void statusCarriesEveryContractFieldAndSeqCountsUpWithinTheBoot() {
        broker.accounts().addDevice("status-01", "lobby", "pw");
        DeviceAgent agent = fixture.agent(fixture.config("status-01", "lobby", "pw"));
        agent.start();

        await().until(() -> fixture.observer().on("dt/signage/status-01/status").size() >= 5);
        List<JsonNode> statuses = fixture.observer().jsonOn("dt/signage/status-01/status");

        JsonNode first = statuses.get(0);
        assertThat(fieldNames(first)).containsExactlyElementsOf(STATUS_FIELDS);
        assertThat(first.get("v").asInt()).isEqualTo(1);
        assertThat(first.get("deviceId").asText()).isEqualTo("status-01");
        assertThat(first.get("bootId").asText()).isEqualTo(agent.state().bootId().toString());
        assertThat(first.get("sentAt").asText()).matches(TIMESTAMP);
        assertThat(first.get("agentVersion").asText()).isNotBlank();
        assertThat(first.get("cpuLoad").asDouble()).isBetween(0.0, 1.0);
        assertThat(first.get("display").asText()).isIn("on", "off", "unknown");
        assertThat(first.get("contentVersion").isNull()).isTrue();
        assertThat(first.get("ip").asText()).startsWith("10.");
        assertThat(first.get("os").asText()).isEqualTo("Linux 6.1.0 aarch64");
        List<Long> seqs = statuses.stream().map(s -> s.get("seq").asLong()).toList();
        assertThat(seqs.subList(0, 5)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(statuses).allSatisfy(s -> assertThat(s.get("bootId").asText()).isEqualTo(first.get("bootId").asText()));

        agent.setContentVersion("content-7");
        await().until(() -> fixture.observer().jsonOn("dt/signage/status-01/status").stream()
                .anyMatch(s -> s.get("contentVersion").asText().equals("content-7")));
    }

    @Test
    void aDisplayChangeIsReportedAtOnceNotAtTheNextHeartbeat() throws Exception {
        broker.accounts().addDevice("display-01", null, "pw");
        Path displayFile = Files.writeString(fixture.dir().resolve("display"), "on");
        AgentConfig config = fixture.config("display-01", null, "pw", "heartbeat.seconds", "3600",
                "display.state.file", displayFile.toString());
        DeviceAgent agent = fixture.agent(config, LinuxMetrics.forConfig(config));
        agent.start();
        await().until(() -> fixture.observer().on("dt/signage/display-01/status").size() == 1);
        assertThat(fixture.observer().jsonOn("dt/signage/display-01/status").get(0).get("display").asText()).isEqualTo("on");

        Files.writeString(displayFile, "off");

        await().until(() -> fixture.observer().on("dt/signage/display-01/status").size() == 2);
        JsonNode second = fixture.observer().jsonOn("dt/signage/display-01/status").get(1);
        assertThat(second.get("display").asText()).isEqualTo("off");
        assertThat(second.get("seq").asLong()).isEqualTo(2);
    }

    @Test
    void onlinePresenceIsRetainedOnConnectAndOfflineShutdownOnStop() throws Exception {
        broker.accounts().addDevice("presence-01", null, "pw");
        DeviceAgent agent = fixture.agent(fixture.config("presence-01", null, "pw"));
        agent.start();
        await().until(() -> agent.state().connected());

        JsonNode online = await().until(() -> fixture.observer().retained("dt/signage/presence-01/presence"), Optional::isPresent).get();
        assertThat(fieldNames(online)).containsExactly("v", "deviceId", "bootId", "state", "at", "conn", "reason");
        assertThat(online.get("state").asText()).isEqualTo("online");
        assertThat(online.get("reason").asText()).isEqualTo("connected");
        assertThat(online.get("conn").asInt()).isEqualTo(1);
        assertThat(online.get("bootId").asText()).isEqualTo(agent.state().bootId().toString());
        assertThat(online.get("at").asText()).matches(TIMESTAMP);

        agent.stop();

        JsonNode offline = fixture.observer().retained("dt/signage/presence-01/presence").orElseThrow();
        assertThat(offline.get("state").asText()).isEqualTo("offline");
        assertThat(offline.get("reason").asText()).isEqualTo("shutdown");
        assertThat(offline.get("conn").asInt()).isEqualTo(1);
        assertThat(agent.state().lifecycle()).isEqualTo(AgentState.Lifecycle.STOPPED);
        assertThat(agent.state().connected()).isFalse();
    }

    @Test
    void aKilledAgentLeavesItsLastWillConnectionLost() throws Exception {
        broker.accounts().addDevice("will-01", null, "pw");
        DeviceAgent agent = fixture.agent(fixture.config("will-01", null, "pw"));
        agent.start();
        await().until(() -> presence("will-01").stream().anyMatch(p -> p.get("state").asText().equals("online")));
        JsonNode online = presence("will-01").get(0);

        agent.kill();

        await().until(() -> presence("will-01").stream().anyMatch(p -> p.get("reason").asText().equals("connection-lost")));
        JsonNode will = presence("will-01").stream().filter(p -> p.get("reason").asText().equals("connection-lost")).findFirst().orElseThrow();
        assertThat(will.get("state").asText()).isEqualTo("offline");
        assertThat(will.get("conn").asInt()).isEqualTo(1);
        assertThat(will.get("bootId").asText()).isEqualTo(online.get("bootId").asText());
        // the will was registered when the connection was opened, before it was announced online
        assertThat(Instant.parse(will.get("at").asText())).isBeforeOrEqualTo(Instant.parse(online.get("at").asText()));
        assertThat(fixture.observer().retained("dt/signage/will-01/presence").orElseThrow().get("reason").asText()).isEqualTo("connection-lost");
    }

    @Test
    void commandsToTheDeviceAndItsGroupReachTheListenerAlsoAfterItsSessionWasLost() throws Exception {
        broker.accounts().addDevice("cmd-01", "floor-3", "pw");
        DeviceAgent agent = fixture.agent(fixture.config("cmd-01", "floor-3", "pw"));
        List<Command> commands = new CopyOnWriteArrayList<>();
        agent.setCommandListener(commands::add);
        agent.start();
        await().until(() -> agent.state().connected());

        fixture.observer().publish("cmd/signage/cmd-01/x", "{\"n\":1}", false);
        fixture.observer().publish("cmd/signage/group/floor-3/reboot", "{\"n\":2}", false);
        await().until(() -> commands.size() == 2);
        assertThat(commands).extracting(Command::topic).containsExactly("cmd/signage/cmd-01/x", "cmd/signage/group/floor-3/reboot");
        assertThat(commands).extracting(Command::payloadText).containsExactly("{\"n\":1}", "{\"n\":2}");

        // another client takes the device's client id with a clean start: the agent is thrown off and its
        // session, subscriptions included, is gone; it must reconnect and subscribe again by itself
        takeOverSession("cmd-01", "pw");
        await().until(() -> agent.state().connectionCount() >= 2 && agent.state().connected());

        fixture.observer().publish("cmd/signage/cmd-01/y", "{\"n\":3}", false);
        fixture.observer().publish("cmd/signage/group/floor-3/reboot", "{\"n\":4}", false);
        await().until(() -> commands.stream().map(Command::payloadText).toList().containsAll(List.of("{\"n\":3}", "{\"n\":4}")));
    }

    @Test
    void aCommandSentWhileTheTerminalWasOffArrivesWhenItComesBack() throws Exception {
        broker.accounts().addDevice("queued-01", null, "pw");
        AgentConfig config = fixture.config("queued-01", null, "pw");
        DeviceAgent firstBoot = fixture.agent(config);
        firstBoot.start();
        await().until(() -> firstBoot.state().connected());
        firstBoot.kill();

        fixture.observer().publish("cmd/signage/queued-01/reboot", "{\"queued\":true}", false);

        DeviceAgent secondBoot = fixture.agent(config);
        List<Command> commands = new CopyOnWriteArrayList<>();
        secondBoot.setCommandListener(commands::add);
        secondBoot.start();
        await().until(() -> commands.stream().anyMatch(c -> c.payloadText().equals("{\"queued\":true}")));
        assertThat(secondBoot.state().bootId()).isNotEqualTo(firstBoot.state().bootId());
    }

    @Test
    void aWrongPasswordIsLoggedAndRetriedWithBackoffUntilTheCredentialIsFixed() {
        broker.accounts().addDevice("auth-01", null, "the-right-one");
        try (LogCapture log = LogCapture.of(ConnectionSupervisor.class.getName())) {
            long refusedBefore = broker.broker().refusedConnects();
            DeviceAgent agent = fixture.agent(fixture.config("auth-01", null, "a-wrong-one"));
            agent.start();

            await().until(() -> broker.broker().refusedConnects() >= refusedBefore + 3);
            assertThat(log.has(Level.ERROR, "[auth-01]", "bad user name or password (reason code 134)", "next attempt in"))
                    .isTrue();
            assertThat(agent.state().connected()).isFalse();
            assertThat(agent.state().lifecycle()).isEqualTo(AgentState.Lifecycle.RUNNING);
            assertThat(agent.state().lastError()).hasValueSatisfying(error -> assertThat(error).contains("134"));
            await().until(() -> agent.state().bufferedCount() > 0);

            broker.accounts().addDevice("auth-01", null, "a-wrong-one"); // the operator fixes the credential

            await().until(() -> agent.state().connected());
            assertThat(agent.state().lastError()).isEmpty();
            await().until(() -> fixture.observer().jsonOn("dt/signage/auth-01/status").stream().anyMatch(s -> s.get("seq").asLong() == 1));
        }
    }

    @Test
    void aStatusTheBrokerRefusesIsLoggedAndDroppedAndTheAgentCarriesOn() {
        // an account allowed to announce presence but not to report status: every status gets PUBACK 135
        broker.accounts().addService(new BrokerPrincipal.Service("refused-01", List.of("dt/signage/refused-01/presence"),
                List.of("cmd/signage/refused-01/#"), List.of(), null), "pw");
        try (LogCapture log = LogCapture.of(StatusForwarder.class.getName())) {
            DeviceAgent agent = fixture.agent(fixture.config("refused-01", null, "pw"));
            agent.start();

            await().until(() -> log.has(Level.ERROR, "[refused-01]", "dt/signage/refused-01/status", "reason code 135"));
            // the broker closes the connection after a refusal; the agent reconnects and keeps going
            await().until(() -> agent.state().connectionCount() >= 2 && agent.state().lastSeq() >= 5);
            assertThat(agent.state().bufferedCount()).isLessThanOrEqualTo(StatusForwarder.WINDOW);
            assertThat(agent.state().lifecycle()).isEqualTo(AgentState.Lifecycle.RUNNING);
            assertThat(fixture.observer().on("dt/signage/refused-01/status")).isEmpty();
        }
    }

    private List<JsonNode> presence(String deviceId) {
        return fixture.observer().jsonOn("dt/signage/" + deviceId + "/presence");
    }

    private void takeOverSession(String deviceId, String password) throws Exception {
        MqttAsyncClient intruder = new MqttAsyncClient(broker.url(), deviceId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(deviceId);
        options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(true);
        options.setSessionExpiryInterval(0L);
        intruder.connect(options).waitForCompletion(10_000);
        intruder.disconnect().waitForCompletion(10_000);
        intruder.close();
    }

    private static List<String> fieldNames(JsonNode json) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
