package dev.signagefleet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.agent.command.Command;
import dev.signagefleet.testing.BrokerExtension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The broker goes away and comes back (same data, same port): store and forward, reconnect, resubscribe. */
class BrokerOutageIT {

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @RegisterExtension
    final AgentFixture fixture = new AgentFixture(broker);

    @Test
    void anAgentStartedWhileTheBrokerIsDownConnectsWhenItComesUpAndReportsWhatItHadToDrop() {
        broker.accounts().addDevice("outage-start", null, "pw");
        broker.stop();
        DeviceAgent agent = fixture.agent(fixture.config("outage-start", null, "pw",
                "heartbeat.seconds", "0.1", "buffer.max.messages", "5"));
        agent.start();

        await().until(() -> agent.state().droppedCount() >= 3);
        assertThat(agent.state().connected()).isFalse();
        assertThat(agent.state().bufferedCount()).isEqualTo(5);
        assertThat(agent.state().lastError()).isPresent();
        long droppedWhileDown = agent.state().droppedCount();
        broker.start();

        await().until(() -> agent.state().connected() && agent.state().bufferedCount() < 5);
        String topic = "dt/signage/outage-start/status";
        await().until(() -> fixture.observer().jsonOn(topic).stream()
                .anyMatch(s -> s.get("seq").asLong() > agent.state().droppedCount() + 5));

        long dropped = agent.state().droppedCount();
        Map<Long, JsonNode> bySeq = firstBySeq(fixture.observer().jsonOn(topic));
        long oldest = bySeq.keySet().stream().mapToLong(Long::longValue).min().orElseThrow();
        long newest = bySeq.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(oldest).as("what was dropped while the broker was down never arrives").isGreaterThan(droppedWhileDown);
        assertThat(bySeq.keySet()).as("the oldest were dropped, everything after arrived")
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(oldest, newest).boxed().toList());
        // Everything before the oldest that arrived was counted; a status dropped just as the connection came
        // back may already have been on the wire, so it can arrive and count too (the agent's README says so).
        assertThat(dropped).isBetween(oldest - 1, oldest);
        Instant online = onlineAt("outage-start", 1);
        assertThat(Instant.parse(bySeq.get(oldest).get("sentAt").asText()))
                .as("a buffered status keeps the time it was made, before the agent came online").isBeforeOrEqualTo(online);
        assertThat(bySeq.values()).as("the count of dropped statuses is reported")
                .anySatisfy(status -> assertThat(status.path("droppedWhileOffline").asLong()).isEqualTo(dropped));
    }

    @Test
    void aBrokerRestartMidStreamLosesNoStatusAndCommandsStillArriveAfterwards() throws Exception {
        broker.accounts().addDevice("outage-mid", "wing-b", "pw");
        DeviceAgent agent = fixture.agent(fixture.config("outage-mid", "wing-b", "pw", "heartbeat.seconds", "0.1"));
        List<Command> commands = new CopyOnWriteArrayList<>();
        agent.setCommandListener(commands::add);
        agent.start();
        String topic = "dt/signage/outage-mid/status";
        await().until(() -> fixture.observer().on(topic).size() >= 3);

        broker.stop();
        await().until(() -> !agent.state().connected());
        long lastBeforeOutage = agent.state().lastSeq();
        await().until(() -> agent.state().lastSeq() >= lastBeforeOutage + 5);
        assertThat(agent.state().bufferedCount()).isGreaterThanOrEqualTo(5);
        broker.start();

        await().until(() -> agent.state().connected());
        long target = agent.state().lastSeq() + 3;
        await().until(() -> firstBySeq(fixture.observer().jsonOn(topic)).keySet().containsAll(
                LongStream.rangeClosed(1, target).boxed().toList()));

        List<JsonNode> received = fixture.observer().jsonOn(topic);
        List<Long> firstSeen = new ArrayList<>(new LinkedHashSet<>(received.stream().map(s -> s.get("seq").asLong()).toList()));
        assertThat(firstSeen).as("in order: a resend may repeat, never reorder").isSorted();
        Map<Long, JsonNode> bySeq = firstBySeq(received);
        assertThat(received).as("a repeated status is the very same status")
                .allSatisfy(s -> assertThat(s).isEqualTo(bySeq.get(s.get("seq").asLong())));
        assertThat(received).extracting(s -> s.get("bootId").asText()).containsOnly(agent.state().bootId().toString());
        Instant backOnline = onlineAt("outage-mid", 2);
        for (long seq = lastBeforeOutage + 1; seq <= lastBeforeOutage + 5; seq++) {
            assertThat(Instant.parse(bySeq.get(seq).get("sentAt").asText())).isBeforeOrEqualTo(backOnline);
        }

        fixture.observer().publish("cmd/signage/outage-mid/ping", "{\"after\":\"restart\"}", false);
        fixture.observer().publish("cmd/signage/group/wing-b/announce", "{\"group\":\"after restart\"}", false);
        await().until(() -> commands.stream().map(Command::topic).toList()
                .containsAll(List.of("cmd/signage/outage-mid/ping", "cmd/signage/group/wing-b/announce")));
        assertThat(agent.state().connectionCount()).isEqualTo(2);
    }

    /** When the agent announced connection {@code conn} online. */
    private Instant onlineAt(String deviceId, int conn) {
        JsonNode online = await().until(() -> fixture.observer().jsonOn("dt/signage/" + deviceId + "/presence").stream()
                .filter(p -> p.get("state").asText().equals("online") && p.get("conn").asInt() == conn).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        return Instant.parse(online.get("at").asText());
    }

    /** The first copy of each seq, by seq. */
    private static Map<Long, JsonNode> firstBySeq(List<JsonNode> statuses) {
        Map<Long, JsonNode> bySeq = new HashMap<>();
        for (JsonNode status : statuses) {
            bySeq.putIfAbsent(status.get("seq").asLong(), status);
        }
        return bySeq;
    }
}
