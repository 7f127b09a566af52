package dev.signagefleet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.testing.BrokerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The standalone entry point against a real broker: {@code --exit-after-first-status}, the training
 * run of a terminal's class-data sharing archive, stops cleanly once the broker has the first
 * status, and says so by its exit status.
 */
class MainIT {

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @RegisterExtension
    final AgentFixture fixture = new AgentFixture(broker);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void exitAfterFirstStatusStopsCleanlyOnceTheBrokerHasTheFirstStatus() throws Exception {
        broker.accounts().addDevice("train-01", null, "pw");
        Path config = config("train-01", "pw");

        Optional<Integer> exit = run(Duration.ofSeconds(60), "--config", config.toString(), "--exit-after-first-status");

        assertThat(exit).as("stderr: %s", text(err)).contains(0);
        // the status was acknowledged before the stop: nothing is left in the buffer for the next start
        try (Stream<Path> left = Files.list(fixture.dir().resolve("train-01"))) {
            assertThat(left).isEmpty();
        }
        await().until(() -> fixture.observer().on("dt/signage/train-01/status").size() == 1);
        JsonNode status = fixture.observer().jsonOn("dt/signage/train-01/status").get(0);
        assertThat(status.get("seq").asLong()).isEqualTo(1);
        // a clean stop, not a lost connection: online, then offline because of the shutdown
        await().until(() -> presence("train-01").size() == 2);
        assertThat(presence("train-01")).extracting(p -> p.get("state").asText() + "/" + p.get("reason").asText())
                .containsExactly("online/connected", "offline/shutdown");
    }

    @Test
    void exitAfterFirstStatusEndsWithStatusOneAndTheReasonWhenNoStatusGetsThrough() throws IOException {
        broker.accounts().addDevice("train-02", null, "the-right-one");
        Path config = config("train-02", "a-wrong-one");

        Optional<Integer> exit = run(Duration.ofSeconds(2), "--config", config.toString(), "--exit-after-first-status");

        assertThat(exit).contains(Main.NO_STATUS);
        assertThat(text(err)).contains("device-agent: no status reached the broker within 2 s (last error: ")
                .contains("check mqtt.url and the credential");
        assertThat(fixture.observer().on("dt/signage/train-02/status")).isEmpty();
    }

    @Test
    void exitAfterFirstStatusEndsWithStatusOneWhenTheBrokerRefusesTheStatus() throws IOException {
        // an account allowed to announce presence but not to report status: the status gets PUBACK 135
        broker.accounts().addService(new BrokerPrincipal.Service("train-03", List.of("dt/signage/train-03/presence"),
                List.of("cmd/signage/train-03/#"), List.of(), null), "pw");
        Path config = config("train-03", "pw");

        Optional<Integer> exit = run(Duration.ofSeconds(30), "--config", config.toString(), "--exit-after-first-status");

        assertThat(exit).contains(Main.NO_STATUS);
        assertThat(text(err)).contains("device-agent: the broker refused the status (reason code 135 on dt/signage/train-03/status)")
                .contains("check that the device's policy allows it");
        assertThat(fixture.observer().on("dt/signage/train-03/status")).isEmpty();
    }

    private Path config(String deviceId, String password) throws IOException {
        return Files.writeString(fixture.dir().resolve(deviceId + ".properties"), String.join("\n",
                "device.id=" + deviceId,
                "mqtt.url=" + broker.url(),
                "mqtt.password=" + password,
                "heartbeat.seconds=3600",
                "reconnect.min.ms=50",
                "reconnect.max.ms=200",
                "buffer.dir=" + fixture.dir(),
                "content.dir=" + fixture.dir().resolve("content")) + "\n");
    }

    private List<JsonNode> presence(String deviceId) {
        return fixture.observer().jsonOn("dt/signage/" + deviceId + "/presence");
    }

    private Optional<Integer> run(Duration firstStatusTimeout, String... args) {
        return Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), firstStatusTimeout);
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }
}
