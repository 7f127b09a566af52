package dev.signagefleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void helpListsEveryKeyWithItsEnvironmentVariable() {
        assertThat(run(Map.of(), "--help")).contains(0);

        assertThat(text(out)).contains("--config FILE", "device.id", "mqtt.url", "SIGNAGE_AGENT_MQTT_PASSWORD",
                "heartbeat.seconds", "display.state.file", "default 30");
    }

    @Test
    void aBrokenValueExitsWithStatusTwoNamingTheKey() throws IOException {
        Path config = Files.writeString(dir.resolve("agent.properties"), "device.id=lobby-01\nmqtt.url=foo\n");

        assertThat(run(Map.of(), "--config", config.toString())).contains(Main.CONFIG_ERROR);

        assertThat(text(err)).contains("mqtt.url: expected tcp://host:port or ssl://host:port, was 'foo'");
    }

    @Test
    void theEnvironmentCanBreakItToo() throws IOException {
        Path config = Files.writeString(dir.resolve("agent.properties"), "device.id=lobby-01\n");

        assertThat(run(Map.of("SIGNAGE_AGENT_BUFFER_MAX_MESSAGES", "lots"), "--config", config.toString())).contains(2);

        assertThat(text(err)).contains("buffer.max.messages: expected a whole number from 1 to 1000000, was 'lots'");
    }

    @Test
    void aMissingFileOrDeviceIdOrUnknownArgumentIsAConfigError() {
        assertThat(run(Map.of(), "--config", dir.resolve("missing.properties").toString())).contains(2);
        assertThat(text(err)).contains("--config: cannot read");

        assertThat(run(Map.of())).contains(2);
        assertThat(text(err)).contains("device.id: required");

        assertThat(run(Map.of(), "--verbose")).contains(2);
        assertThat(text(err)).contains("unknown argument '--verbose'");
    }

    private Optional<Integer> run(Map<String, String> env, String... args) {
        err.reset();
        return Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static String text(ByteArrayOutputStream stream) {
        return stream.toString(StandardCharsets.UTF_8);
    }
}
