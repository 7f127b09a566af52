package dev.signagefleet.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {

    @TempDir
    Path dir;

    @Test
    void onlyTheDeviceIdIsRequiredAndEverythingElseHasItsDocumentedDefault() {
        AgentConfig config = AgentConfig.parse(Map.of("device.id", "lobby-01"));

        assertThat(config.deviceId()).isEqualTo("lobby-01");
        assertThat(config.deviceGroup()).isEmpty();
        assertThat(config.mqttUrl()).isEqualTo("tcp://localhost:1883");
        assertThat(config.mqttUsername()).isEqualTo("lobby-01");
        assertThat(config.mqttPassword()).isEmpty();
        assertThat(config.tls().isEmpty()).isTrue();
        assertThat(config.heartbeat()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.keepAlive()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.sessionExpiry()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(config.reconnectBase()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.reconnectCap()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.bufferDir()).isEqualTo(Path.of("./agent-buffer"));
        assertThat(config.deviceBufferDir()).isEqualTo(Path.of("./agent-buffer/lobby-01"));
        assertThat(config.bufferMaxMessages()).isEqualTo(1000);
        assertThat(config.displayStateFile()).isEmpty();
        assertThat(config.contentDir()).isEqualTo(Path.of("./content"));
        assertThat(config.deviceContentDir()).isEqualTo(Path.of("./content/lobby-01"));
        assertThat(config.contentMaxBytes()).isEqualTo(209_715_200L);
    }

    @Test
    void environmentVariablesOverrideTheFileKeyByKey() {
        Map<String, String> file = Map.of("device.id", "lobby-01", "mqtt.password", "from-file", "heartbeat.seconds", "10");
        Map<String, String> env = Map.of("SIGNAGE_AGENT_MQTT_PASSWORD", "from-env", "SIGNAGE_AGENT_DEVICE_GROUP", "tokyo-east",
                "SIGNAGE_AGENT_BUFFER_MAX_MESSAGES", "50", "SIGNAGE_AGENT_HEARTBEAT_SECONDS", " ", "UNRELATED", "x",
                "SIGNAGE_AGENT_CONTENT_DIR", "/var/lib/signage/content", "SIGNAGE_AGENT_CONTENT_MAX_BYTES", "1048576");

        AgentConfig config = AgentConfig.parse(file, env);

        assertThat(config.mqttPassword()).contains(new Secret("from-env"));
        assertThat(config.deviceGroup()).contains("tokyo-east");
        assertThat(config.bufferMaxMessages()).isEqualTo(50);
        assertThat(config.heartbeat()).as("a blank variable does not override").isEqualTo(Duration.ofSeconds(10));
        assertThat(config.deviceContentDir()).isEqualTo(Path.of("/var/lib/signage/content/lobby-01"));
        assertThat(config.contentMaxBytes()).isEqualTo(1_048_576L);
        assertThat(ConfigKey.MQTT_PASSWORD.envName()).isEqualTo("SIGNAGE_AGENT_MQTT_PASSWORD");
    }

    @Test
    void aBrokenUrlNamesTheKeyAndWhatIsExpected() {
        assertThatThrownBy(() -> AgentConfig.parse(Map.of("device.id", "a", "mqtt.url", "foo")))
                .isInstanceOf(AgentConfigException.class)
                .hasMessage("mqtt.url: expected tcp://host:port or ssl://host:port, was 'foo'")
                .satisfies(e -> assertThat(((AgentConfigException) e).key()).isEqualTo("mqtt.url"));
        for (String bad : new String[] {"http://host:1883", "tcp://host", "tcp://:1883", "tcp://host:99999", "tcp://host:1883/x"}) {
            assertThatThrownBy(() -> AgentConfig.parse(Map.of("device.id", "a", "mqtt.url", bad)))
                    .hasMessageStartingWith("mqtt.url: expected");
        }
        assertThat(AgentConfig.parse(Map.of("device.id", "a", "mqtt.url", "ssl://abc-ats.iot.eu-west-1.amazonaws.com:8883")).usesTls())
                .isTrue();
    }

    @Test
    void eachBrokenValueNamesItsKey() {
        assertBroken(Map.of(), "device.id: required");
        assertBroken(Map.of("device.id", "has space"), "device.id: expected 1 to 64 characters");
        assertBroken(Map.of("device.id", "x".repeat(65)), "device.id: expected 1 to 64 characters");
        assertBroken(Map.of("device.id", "a", "device.group", "a/b"), "device.group: expected");
        assertBroken(Map.of("device.id", "a", "heartbeat.seconds", "abc"), "heartbeat.seconds: expected seconds");
        assertBroken(Map.of("device.id", "a", "heartbeat.seconds", "0"), "heartbeat.seconds: expected seconds");
        assertBroken(Map.of("device.id", "a", "keepalive.seconds", "1.5"), "keepalive.seconds: expected a whole number");
        assertBroken(Map.of("device.id", "a", "session.expiry.seconds", "0"), "session.expiry.seconds: expected a whole number from 1");
        assertBroken(Map.of("device.id", "a", "buffer.max.messages", "-1"), "buffer.max.messages: expected a whole number");
        assertBroken(Map.of("device.id", "a", "content.max.bytes", "0"), "content.max.bytes: expected a whole number from 1");
        assertBroken(Map.of("device.id", "a", "content.max.bytes", "200MB"), "content.max.bytes: expected a whole number");
        assertBroken(Map.of("device.id", "a", "reconnect.min.ms", "500", "reconnect.max.ms", "100"),
                "reconnect.max.ms: expected at least reconnect.min.ms (500), was 100");
    }

    @Test
    void tlsFilesNeedAnSslUrlExistingFilesAndACertificateWithItsKey() throws IOException {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        assertBroken(Map.of("device.id", "a", "tls.cert.file", cert.toString(), "tls.key.file", cert.toString()),
                "tls.cert.file: is set, but mqtt.url 'tcp://localhost:1883' is not ssl://");
        assertBroken(Map.of("device.id", "a", "mqtt.url", "ssl://h:8883", "tls.cert.file", cert.toString()),
                "tls.key.file: required when tls.cert.file is set");
        assertBroken(Map.of("device.id", "a", "mqtt.url", "ssl://h:8883", "tls.ca.file", dir.resolve("missing.pem").toString()),
                "tls.ca.file: expected a readable PEM file");
    }

    @Test
    void heartbeatAcceptsDecimalsForFastTests() {
        assertThat(AgentConfig.parse(Map.of("device.id", "a", "heartbeat.seconds", "0.2")).heartbeat())
                .isEqualTo(Duration.ofMillis(200));
    }

    @Test
    void describeMasksThePassword() {
        AgentConfig config = AgentConfig.parse(Map.of("device.id", "a", "mqtt.password", "s3cret"));

        assertThat(config.describe()).contains("mqtt.password=****", "device.id=a").doesNotContain("s3cret");
        assertThat(config.toString()).doesNotContain("s3cret");
    }

    @Test
    void theGeneratedPropertiesFileReadsBackToTheSameConfig() throws IOException {
        Map<String, String> values = new HashMap<>();
        values.put("device.id", "lobby-01");
        values.put("device.group", "tokyo-east");
        values.put("mqtt.url", "ssl://host.example:8883");
        values.put("mqtt.password", " pa\\ss=wörd#\n");
        values.put("heartbeat.seconds", "0.25");
        values.put("buffer.dir", "C:\\agent\\buffer");
        values.put("content.dir", "/srv/signage content");
        values.put("content.max.bytes", "5000000");
        AgentConfig config = AgentConfig.parse(values);

        Path file = dir.resolve("agent.properties");
        config.writePropertiesFile(file);
        String text = Files.readString(file, StandardCharsets.UTF_8);

        assertThat(AgentConfig.load(file, Map.of())).isEqualTo(config);
        assertThat(text).contains("# This terminal's id", "device.id=lobby-01", "#tls.cert.file=");
        assertThat(AgentConfig.unknownKeys(AgentConfig.readProperties(file))).isEmpty();
    }

    @Test
    void theCliHelperWritesAReadyFileForANewDevice() {
        String text = AgentConfig.propertiesFileText("lobby-02", null, "tcp://broker.local:1883", "pw");

        AgentConfig config = AgentConfig.parse(parseProperties(text));
        assertThat(config.deviceId()).isEqualTo("lobby-02");
        assertThat(config.mqttPassword()).contains(new Secret("pw"));
        assertThat(config.deviceGroup()).isEmpty();
        assertThatThrownBy(() -> AgentConfig.propertiesFileText("bad id", null, "tcp://h:1", null))
                .hasMessageStartingWith("device.id:");
    }

    @Test
    void unknownKeysAreReportedForTypos() {
        assertThat(AgentConfig.unknownKeys(Map.of("device.id", "a", "mqtt.pasword", "x"))).containsExactly("mqtt.pasword");
    }

    @Test
    void aMissingConfigFileIsAConfigError() {
        assertThatThrownBy(() -> AgentConfig.load(dir.resolve("nope.properties"), Map.of()))
                .isInstanceOf(AgentConfigException.class)
                .hasMessageStartingWith("--config: cannot read");
    }

    private static Map<String, String> parseProperties(String text) {
        java.util.Properties properties = new java.util.Properties();
        try {
            properties.load(new java.io.StringReader(text));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Map<String, String> values = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name)));
        return values;
    }

    private static void assertBroken(Map<String, String> values, String messageStart) {
        assertThatThrownBy(() -> AgentConfig.parse(values))
                .isInstanceOf(AgentConfigException.class)
                .hasMessageStartingWith(messageStart);
    }

    @Test
    void optionalFieldsAreNeverNull() {
        AgentConfig config = AgentConfig.parse(Map.of("device.id", "a"));
        assertThat(config.displayStateFile()).isEqualTo(Optional.empty());
    }
}
