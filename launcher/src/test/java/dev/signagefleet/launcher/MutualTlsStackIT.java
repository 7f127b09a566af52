package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.signagefleet.agent.DeviceAgent;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.metrics.SimulatedMetrics;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.mqtt.MqttClients;
import dev.signagefleet.common.mqtt.MqttSettings;
import java.util.Optional;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.telemetry.registry.NewDevice;
import dev.signagefleet.testing.FreePorts;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The optional mutual-TLS listener of the embedded broker, the AWS IoT Core model: a terminal logs
 * in with a certificate of the stack's local CA whose CN is its device id, made by
 * {@code signage device cert}; no password. A certificate for an unregistered id, or used under
 * another client id, is refused.
 */
class MutualTlsStackIT {

    private static Stack stack;
    private static Path dataDir;
    private static int tlsPort;
    private final List<DeviceAgent> agents = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        dataDir = Files.createTempDirectory("mtls-it-");
        tlsPort = FreePorts.next();
        stack = Stack.start(TestStacks.local(dataDir, 0, "mtls-it"),
                Settings.of(Map.of("SIGNAGE_MQTT_TLS_PORT", String.valueOf(tlsPort))), Clock.systemUTC());
        stack.registry().register(new NewDevice("mtls-1", "osaka", "Lobby", null), "test");
        stack.registry().register(new NewDevice("mtls-2", "osaka", "Hall", null), "test");
    }

    @AfterEach
    void killAgents() {
        agents.forEach(DeviceAgent::kill);
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /** Runs {@code signage device cert ID} and reads the agent config it wrote. */
    private static Map<String, String> issue(String deviceId) throws IOException {
        Path out = dataDir.resolve("certs-" + deviceId);
        int exit = new CommandLine(new SignageCommand()).execute("device", "cert", deviceId, "--out", out.toString(),
                "--data-dir", dataDir.toString(), "--mqtt-url", "ssl://localhost:" + tlsPort);
        assertThat(exit).isZero();
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(out.resolve("agent.properties"))) {
            properties.load(in);
        }
        Map<String, String> config = new HashMap<>();
        properties.forEach((k, v) -> config.put(k.toString(), v.toString()));
        return config;
    }

    private DeviceAgent start(Map<String, String> values) {
        Map<String, String> config = new HashMap<>(values);
        config.put("heartbeat.seconds", "0.3");
        config.put("reconnect.min.ms", "100");
        config.put("reconnect.max.ms", "500");
        config.put("buffer.dir", dataDir.resolve("agent-buffers").toString());
        config.put("content.dir", dataDir.resolve("agent-content").toString());
        DeviceAgent agent = new DeviceAgent(AgentConfig.parse(config),
                new SimulatedMetrics(config.get("device.id"), 1, Clock.systemUTC()), Clock.systemUTC());
        agents.add(agent);
        agent.start();
        return agent;
    }

    @Test
    void aTerminalWithACertificateOfTheLocalCaLogsInWithoutAPasswordAndReports() throws Exception {
        assertThat(stack.mqttTlsUrl()).contains("ssl://127.0.0.1:" + tlsPort);
        Map<String, String> config = issue("mtls-1");
        assertThat(config).doesNotContainKey("mqtt.password");
        assertThat(Files.readString(Path.of(config.get("tls.key.file")))).startsWith("-----BEGIN PRIVATE KEY-----");

        DeviceAgent agent = start(config);

        await().atMost(Duration.ofSeconds(30)).until(() -> agent.state().connected());
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.telemetry() != null
                && new dev.signagefleet.telemetry.fleet.FleetQueries(stack.database().jdbi()).device("mtls-1")
                        .map(d -> d.connectivity().state().equals("online") && d.latest() != null).orElse(false));
    }

    @Test
    void aCertificateForAnUnregisteredIdOrUsedUnderAnotherIdIsRefused() throws Exception {
        long refusedBefore = stack.broker().orElseThrow().refusedConnects();
        DeviceAgent ghost = start(issue("mtls-ghost"));
        Map<String, String> borrowed = new HashMap<>(issue("mtls-2"));
        borrowed.put("device.id", "mtls-1"); // mtls-2's certificate, presented as mtls-1
        DeviceAgent impostor = start(borrowed);

        await().atMost(Duration.ofSeconds(30)).until(() -> stack.broker().orElseThrow().refusedConnects() >= refusedBefore + 2);
        assertThat(ghost.state().connected()).isFalse();
        assertThat(impostor.state().connected()).isFalse();
        assertThat(ghost.state().lastError()).hasValueSatisfying(e -> assertThat(e).contains("135"));
    }

    @Test
    void theServicesMqttClientLogsInWithAClientCertificateAndAnAwsStyleRsaKey() throws Exception {
        stack.registry().register(new NewDevice("mtls-3", "osaka", null, null), "test");
        // AWS IoT Core hands out RSA keys as PKCS#1 ("BEGIN RSA PRIVATE KEY"): make such a pair, certified by the local CA.
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        java.security.KeyPair pair = generator.generateKeyPair();
        Path dir = Files.createDirectories(dataDir.resolve("service-cert"));
        Path certificate = dir.resolve("certificate.pem");
        Path pkcs1 = dir.resolve("rsa-key.pem");
        try (java.io.Writer out = Files.newBufferedWriter(certificate);
             org.bouncycastle.openssl.jcajce.JcaPEMWriter writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
            writer.writeObject(stack.pki().orElseThrow().issue("mtls-3", pair.getPublic()));
        }
        try (java.io.Writer out = Files.newBufferedWriter(pkcs1);
             org.bouncycastle.openssl.jcajce.JcaPEMWriter writer = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
            writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator(pair.getPrivate()));
        }
        assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        MqttSettings settings = new MqttSettings("ssl://localhost:" + tlsPort, "", new Secret(""), Optional.empty())
                .withCertificateFrom(Settings.of(Map.of("SIGNAGE_MQTT_CERT_FILE", certificate.toString(),
                        "SIGNAGE_MQTT_KEY_FILE", pkcs1.toString(),
                        "SIGNAGE_MQTT_CA_FILE", stack.pki().orElseThrow().caCertificateFile().toString())));
        Mqtt5BlockingClient client = MqttClients.builder(settings, "mtls-3").buildBlocking();
        client.connect();
        try {
            client.publishWith().topic("dt/signage/mtls-3/status").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("{\"v\":1,\"deviceId\":\"mtls-3\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\""
                            + java.time.Instant.now() + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8)).send();
        } finally {
            client.disconnect();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> stack.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM status_history WHERE device_id = 'mtls-3'").mapTo(Long.class).one()) == 1);
    }
}
