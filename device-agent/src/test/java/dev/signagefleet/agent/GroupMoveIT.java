package dev.signagefleet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.signagefleet.agent.command.Command;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.testing.BrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operator moves a terminal to another group: a retained {@code {"group":…}} on the terminal's
 * {@code group} topic, with the broker's permission following the registry and the connection
 * closed, as the server does it. The agent then takes the new group's commands, not the old one's,
 * and stays in the new group after a restart.
 */
class GroupMoveIT {

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @RegisterExtension
    final AgentFixture fixture = new AgentFixture(broker);

    private static Path groupFile(AgentConfig config) {
        return config.deviceContentDir().resolve(DeviceAgent.GROUP_FILE);
    }

    /** As the server moves a terminal: registry (here: the broker's accounts), then the message, then the disconnect. */
    private void move(String deviceId, String group) throws Exception {
        broker.accounts().addDevice(deviceId, group, "pw");
        fixture.observer().publish("cmd/signage/" + deviceId + "/group", "{\"group\":\"" + group + "\"}", true);
        broker.broker().disconnect(deviceId, "moved to group " + group);
    }

    /**
     * Publishes a (not retained) command again every 2 s until the agent has it: a command sent
     * before the agent subscribed the filter is not delivered at all.
     */
    private void publishUntilReceived(String topic, String payload, List<Command> commands) {
        await().untilAsserted(() -> {
            fixture.observer().publish(topic, payload, false);
            long until = System.nanoTime() + java.time.Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < until && commands.stream().noneMatch(c -> c.payloadText().equals(payload))) {
                Thread.sleep(20);
            }
            assertThat(commands).extracting(Command::payloadText).contains(payload);
        });
    }

    @Test
    void aMovedTerminalTakesTheNewGroupsCommandsNotTheOldOnesAndKeepsTheGroupAcrossARestart() throws Exception {
        broker.accounts().addDevice("mover-01", "lobby", "pw");
        AgentConfig config = fixture.config("mover-01", "lobby", "pw");
        DeviceAgent agent = fixture.agent(config);
        List<Command> commands = new CopyOnWriteArrayList<>();
        agent.setCommandListener(commands::add);
        agent.start();
        await().until(() -> agent.state().connected());
        fixture.observer().publish("cmd/signage/group/lobby/x", "{\"n\":1}", false);
        await().until(() -> commands.size() == 1);

        try (LogCapture log = LogCapture.of("dev.signagefleet.agent")) {
            move("mover-01", "osaka");

            await().until(() -> Files.exists(groupFile(config)));
            assertThat(Files.readString(groupFile(config)).strip()).isEqualTo("osaka");
            await().until(() -> agent.state().connectionCount() >= 2 && agent.state().connected());
            // the new group's commands arrive; the old group's no longer reach the terminal's features
            publishUntilReceived("cmd/signage/group/osaka/x", "{\"n\":2}", commands);
            fixture.observer().publish("cmd/signage/group/lobby/x", "{\"n\":3}", false);
            fixture.observer().publish("cmd/signage/mover-01/marker", "{\"n\":4}", false);
            await().until(() -> commands.stream().anyMatch(c -> c.payloadText().equals("{\"n\":4}")));
            assertThat(commands).extracting(Command::payloadText).doesNotContain("{\"n\":3}");
            assertThat(commands).extracting(Command::topic).doesNotContain("cmd/signage/mover-01/group");
            assertThat(log.has(Level.INFO, "[mover-01]", "moved by the server from group lobby to osaka")).isTrue();
            assertThat(log.has(Level.ERROR, "[mover-01]")).as("a move is routine, not an error").isFalse();
        }

        // the retained move is withdrawn: the group kept on disk still holds after a restart
        fixture.observer().publish("cmd/signage/mover-01/group", "", true);
        agent.stop();
        DeviceAgent again = fixture.agent(config);
        List<Command> afterRestart = new CopyOnWriteArrayList<>();
        again.setCommandListener(afterRestart::add);
        try (LogCapture log = LogCapture.of("dev.signagefleet.agent")) {
            again.start();
            await().until(() -> again.state().connected());
            fixture.observer().publish("cmd/signage/group/osaka/x", "{\"n\":5}", false);
            await().until(() -> afterRestart.stream().anyMatch(c -> c.payloadText().equals("{\"n\":5}")));
            assertThat(log.has(Level.ERROR, "[mover-01]")).as("no refused subscription to the old group").isFalse();
        }
    }

    @Test
    void aTerminalMovedWhileItWasOffSwitchesInItsFirstConnection() throws Exception {
        broker.accounts().addDevice("mover-03", "lobby", "pw");
        AgentConfig config = fixture.config("mover-03", "lobby", "pw");
        DeviceAgent first = fixture.agent(config);
        first.start();
        await().until(() -> first.state().connected());
        first.stop();

        // moved while off: the connect subscribes the old group (refused now) before the move arrives
        broker.accounts().addDevice("mover-03", "nagoya", "pw");
        fixture.observer().publish("cmd/signage/mover-03/group", "{\"group\":\"nagoya\"}", true);
        DeviceAgent agent = fixture.agent(config);
        List<Command> commands = new CopyOnWriteArrayList<>();
        agent.setCommandListener(commands::add);
        agent.start();
        await().until(() -> Files.exists(groupFile(config)));
        publishUntilReceived("cmd/signage/group/nagoya/x", "{\"n\":1}", commands);
        assertThat(agent.state().connectionCount()).as("no reconnect needed").isEqualTo(1);
    }

    @Test
    void moveMessagesAreIdempotentAndAnInvalidOneIsIgnoredWithAWarning() throws Exception {
        broker.accounts().addDevice("mover-02", "lobby", "pw");
        AgentConfig config = fixture.config("mover-02", "lobby", "pw");
        DeviceAgent agent = fixture.agent(config);
        List<Command> commands = new CopyOnWriteArrayList<>();
        agent.setCommandListener(commands::add);
        try (LogCapture log = LogCapture.of("dev.signagefleet.agent")) {
            agent.start();
            await().until(() -> agent.state().connected());

            fixture.observer().publish("cmd/signage/mover-02/group", "{\"group\":\"lobby\"}", true);
            fixture.observer().publish("cmd/signage/mover-02/group", "{\"group\":\"../etc\"}", false);
            fixture.observer().publish("cmd/signage/mover-02/marker", "{}", false);
            await().until(() -> commands.stream().anyMatch(c -> c.topic().endsWith("/marker")));

            assertThat(Files.exists(groupFile(config))).as("staying in the same group writes nothing").isFalse();
            assertThat(log.has(Level.WARN, "[mover-02]", "ignoring an invalid group move", "../etc", "staying in group lobby"))
                    .isTrue();
            fixture.observer().publish("cmd/signage/group/lobby/x", "{\"still\":\"lobby\"}", false);
            await().until(() -> commands.stream().anyMatch(c -> c.payloadText().equals("{\"still\":\"lobby\"}")));
        }
    }

    @Test
    void aSessionThatKeepsTheOldGroupsSubscriptionLosesItAtItsNextConnect() throws Exception {
        broker.accounts().addDevice("stale-01", "lobby", "pw");
        List<String> received = new CopyOnWriteArrayList<>();
        java.util.function.Supplier<com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient> client = () -> {
            var c = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder().identifier("stale-01").serverHost("127.0.0.1")
                    .serverPort(broker.port()).simpleAuth().username("stale-01")
                    .password("pw".getBytes(java.nio.charset.StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
            c.toAsync().publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL,
                    p -> received.add(p.getTopic() + " " + new String(p.getPayloadAsBytes(), java.nio.charset.StandardCharsets.UTF_8)));
            c.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            return c;
        };
        var first = client.get();
        first.subscribeWith().topicFilter("cmd/signage/group/lobby/#").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
        first.subscribeWith().topicFilter("cmd/signage/stale-01/#").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
        first.disconnect();

        broker.accounts().addDevice("stale-01", "osaka", "pw"); // moved while away; this client never unsubscribes
        var second = client.get(); // resumes the session, subscriptions and all
        try {
            fixture.observer().publish("cmd/signage/group/lobby/x", "{\"old\":true}", false);
            fixture.observer().publish("cmd/signage/stale-01/x", "{\"own\":true}", false);
            await().until(() -> received.stream().anyMatch(r -> r.contains("own")));
            Thread.sleep(300); // the own message came after the old group's would have
            assertThat(received).noneMatch(r -> r.contains("old"));
        } finally {
            second.disconnect();
        }
    }
}
