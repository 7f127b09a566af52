package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.telemetry.TelemetryConfig;
import dev.signagefleet.telemetry.TelemetryConsumer;
import dev.signagefleet.telemetry.registry.NewDevice;
import dev.signagefleet.testing.BrokerExtension;
import dev.signagefleet.testing.FreePorts;
import dev.signagefleet.testing.PostgresExtension;
import dev.signagefleet.testing.QueueServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The walking system end to end, as `./signage up` runs it: embedded broker, queue server and
 * PostgreSQL, the consumer, the HTTP API and simulated terminals running the real agent code.
 */
class StackIT {

    private static final String ADMIN_PASSWORD = "stack-it-admin-password";

    @RegisterExtension
    static final BrokerExtension external = new BrokerExtension();
    @RegisterExtension
    static final PostgresExtension externalDb = new PostgresExtension();
    @RegisterExtension
    static final QueueServerExtension externalSqs = new QueueServerExtension();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Stack> stacks = new ArrayList<>();

    @AfterEach
    void stopAll() {
        stacks.forEach(Stack::close);
    }

    private Stack start(Path dataDir, int devices, int httpPort, int mqttPort) {
        StackOptions options = new StackOptions(dataDir, "127.0.0.1", httpPort, mqttPort, FreePorts.next(), devices,
                Duration.ofSeconds(30), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(ADMIN_PASSWORD), 100_000, false);
        Stack stack = Stack.start(options, Settings.of(Map.of()), Clock.systemUTC());
        stacks.add(stack);
        return stack;
    }

    private JsonNode api(Stack stack, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.httpPort() + path))
                .header("Authorization", auth()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
        return Json.mapper().readTree(response.body());
    }

    private static String auth() {
        return TestStacks.basic("admin", ADMIN_PASSWORD);
    }

    private long online(Stack stack) throws IOException, InterruptedException {
        return api(stack, "/api/fleet/summary").get("byConnectivity").get("online").asLong();
    }

    @Test
    void simulatedTerminalsAppearOnlineAndTheFleetSurvivesARestart() throws Exception {
        Path dataDir = Files.createTempDirectory("stack-it-");
        int httpPort = FreePorts.next();
        int mqttPort = FreePorts.next();
        Stack stack = start(dataDir, 3, httpPort, mqttPort);
        await().atMost(Duration.ofSeconds(30)).until(() -> online(stack) == 3);
        JsonNode sim = api(stack, "/api/devices/sim-0002");
        assertThat(sim.get("group").asText()).isEqualTo("tokyo-west");
        await().atMost(Duration.ofSeconds(30)).until(() -> !api(stack, "/api/devices/sim-0002").get("latest").isNull());
        JsonNode latest = api(stack, "/api/devices/sim-0002").get("latest");
        assertThat(latest.get("agentVersion").asText()).isNotBlank();
        assertThat(latest.get("memTotalMb").asLong()).isPositive();
        assertThat(Files.exists(dataDir.resolve("simulator/sim-0001.properties"))).isTrue();

        stack.close();
        stacks.remove(stack);

        Stack again = start(dataDir, 3, httpPort, mqttPort);
        JsonNode events = api(again, "/api/devices/sim-0001/events");
        assertThat(events.get("items")).anySatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("signage.device.offline.v1");
            assertThat(e.get("data").get("reason").asText()).isEqualTo("agent shut down cleanly");
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> online(again) == 3);
        assertThat(api(again, "/api/fleet/summary").get("total").asLong()).isEqualTo(3);
    }

    @Test
    void anyMqtt5ClientWithARegisteredCredentialCanReportAndIsShownByTheApi() throws Exception {
        Stack stack = start(Files.createTempDirectory("stack-it-"), 0, FreePorts.next(), FreePorts.next());
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + stack.httpPort() + "/api/devices"))
                .header("Authorization", auth()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"kiosk-7\",\"group\":\"osaka\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode registration = Json.mapper().readTree(created.body());
        String credential = registration.get("credential").asText();
        assertThat(registration.get("agentConfig").asText()).contains("device.id=kiosk-7").contains("mqtt.password=" + credential);

        int port = Integer.parseInt(stack.mqttUrl().substring(stack.mqttUrl().lastIndexOf(':') + 1));
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("kiosk-7").serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username("kiosk-7").password(credential.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        client.connect();
        client.publishWith().topic("dt/signage/kiosk-7/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(("{\"v\":1,\"deviceId\":\"kiosk-7\",\"bootId\":\"manual\",\"seq\":1,\"sentAt\":\""
                        + Instant.now() + "\",\"cpuLoad\":0.5,\"display\":\"on\"}").getBytes(StandardCharsets.UTF_8))
                .send();
        client.disconnect();
        await().atMost(Duration.ofSeconds(20)).until(() -> !api(stack, "/api/devices/kiosk-7").get("latest").isNull());
        assertThat(api(stack, "/api/devices/kiosk-7").get("connectivity").get("state").asText()).isEqualTo("online");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new SignageCommand()).execute("devices", "--api", "http://127.0.0.1:" + stack.httpPort(),
                    "--password", ADMIN_PASSWORD, "--group", "osaka");
        } finally {
            System.setOut(original);
        }
        assertThat(exit).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("kiosk-7").contains("online").contains("1 device(s)");
    }

    @Test
    void theSameLauncherRunsAgainstExternalPostgresAndBroker() throws Exception {
        external.accounts().addService(new BrokerPrincipal.Service(TelemetryConfig.SERVICE_ACCOUNT,
                TelemetryConsumer.BROKER_PUBLISH, List.of(), TelemetryConsumer.BROKER_SHARED_SUBSCRIPTIONS,
                TelemetryConfig.SHARED_GROUP), "external-service-secret");
        external.accounts().addDevice("ext-01", "osaka", "ext-device-secret");
        StackOptions options = new StackOptions(Files.createTempDirectory("stack-ext-"), "127.0.0.1", FreePorts.next(),
                FreePorts.next(), FreePorts.next(), 0, Duration.ofSeconds(30),
                Optional.of(externalDb.config().jdbcUrl()), Optional.of(external.url()), Optional.of(externalSqs.endpoint()),
                Optional.empty(), Optional.of(ADMIN_PASSWORD), 100_000, false);
        Stack stack = Stack.start(options, Settings.of(Map.of(
                "SIGNAGE_POSTGRES_USER", externalDb.config().user(),
                "SIGNAGE_TELEMETRY_MQTT_PASSWORD", "external-service-secret",
                "SIGNAGE_SQS_REGION", "elasticmq",
                "SIGNAGE_SQS_ACCESS_KEY", "local",
                "SIGNAGE_SQS_SECRET_KEY", "local")), Clock.systemUTC());
        stacks.add(stack);
        assertThat(stack.broker()).isEmpty();
        assertThat(stack.mqttUrl()).isEqualTo(external.url());
        assertThat(stack.sqsEndpoint()).isEqualTo(externalSqs.endpoint());
        assertThat(externalSqs.client().listQueues().queueUrls()).anyMatch(url -> url.endsWith("signage-content-builder"));
        await().atMost(Duration.ofSeconds(20)).until(() -> stack.telemetry().isListening());

        Mqtt5BlockingClient device = Mqtt5Client.builder().identifier("ext-01").serverHost("127.0.0.1").serverPort(external.port())
                .simpleAuth().username("ext-01").password("ext-device-secret".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        device.connect();
        device.publishWith().topic("dt/signage/ext-01/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(("{\"v\":1,\"deviceId\":\"ext-01\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\""
                        + Instant.now() + "\"}").getBytes(StandardCharsets.UTF_8)).send();
        device.disconnect();
        // The device was never registered here (an external broker authenticates it): it appears without a group.
        await().atMost(Duration.ofSeconds(20)).until(() -> externalDb.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM status_history WHERE device_id = 'ext-01'").mapTo(Long.class).one()) == 1);
        JsonNode view = api(stack, "/api/devices/ext-01");
        assertThat(view.get("connectivity").get("state").asText()).isEqualTo("online");
        assertThat(api(stack, "/api/fleet/summary").get("delivery").get("brokerDroppedMessages").isNull()).isTrue();
    }

    @Test
    void metricsShowTheBrokersDropCountAndTheCliWritesAnAgentConfig() throws Exception {
        Path dataDir = Files.createTempDirectory("stack-it-");
        Stack stack = start(dataDir, 0, FreePorts.next(), FreePorts.next());
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("signage_broker_messages_dropped_total 0.0").contains("signage_telemetry_messages_total");
        assertThat(api(stack, "/api/fleet/summary").get("delivery").get("brokerDroppedMessages").asLong()).isZero();

        Path config = dataDir.resolve("lobby-01.properties");
        int exit = new CommandLine(new SignageCommand()).execute("device", "add", "lobby-01", "--group", "tokyo-east",
                "--api", "http://127.0.0.1:" + stack.httpPort(), "--password", ADMIN_PASSWORD, "--write-config", config.toString());
        assertThat(exit).isZero();
        dev.signagefleet.agent.config.AgentConfig parsed = dev.signagefleet.agent.config.AgentConfig.load(config, Map.of());
        assertThat(parsed.deviceId()).isEqualTo("lobby-01");
        assertThat(parsed.deviceGroup()).hasValue("tokyo-east");
        assertThat(stack.registry().authenticate("lobby-01", parsed.mqttPassword().orElseThrow().value())).isPresent();
        assertThat(Files.getPosixFilePermissions(config)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void rotatingACredentialClosesTheConnectionAndRetiresTheOldOne() throws Exception {
        Stack stack = start(Files.createTempDirectory("stack-it-"), 0, FreePorts.next(), FreePorts.next());
        String old = stack.registry().register(new dev.signagefleet.telemetry.registry.NewDevice("rot-1", "osaka", null, null),
                "test").credential();
        int port = Integer.parseInt(stack.mqttUrl().substring(stack.mqttUrl().lastIndexOf(':') + 1));
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("rot-1").serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username("rot-1").password(old.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        client.connect();
        HttpResponse<String> rotated = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + stack.httpPort() + "/api/devices/rot-1/credential"))
                .header("Authorization", auth()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(rotated.statusCode()).isEqualTo(200);
        String fresh = Json.mapper().readTree(rotated.body()).get("credential").asText();
        await().atMost(Duration.ofSeconds(10)).until(() -> !client.getState().isConnected());
        org.assertj.core.api.Assertions.assertThatThrownBy(client::connect).hasMessageContaining("BAD_USER_NAME_OR_PASSWORD");
        Mqtt5BlockingClient renewed = Mqtt5Client.builder().identifier("rot-1").serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username("rot-1").password(fresh.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        renewed.connect();
        renewed.disconnect();
    }

    @Test
    void wrongCredentialIsRefusedByTheBroker() throws Exception {
        Stack stack = start(Files.createTempDirectory("stack-it-"), 0, FreePorts.next(), FreePorts.next());
        int port = Integer.parseInt(stack.mqttUrl().substring(stack.mqttUrl().lastIndexOf(':') + 1));
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("intruder").serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username("intruder").password("guess".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        org.assertj.core.api.Assertions.assertThatThrownBy(client::connect)
                .hasMessageContaining("BAD_USER_NAME_OR_PASSWORD");
        assertThat(stack.broker().orElseThrow().refusedConnects()).isEqualTo(1);
    }

    @Test
    void telemetryTheDatabaseRefusedIsReplayedFromTheCliOnceTheCauseIsFixed() throws Exception {
        Stack stack = start(Files.createTempDirectory("stack-it-"), 0, FreePorts.next(), FreePorts.next());
        String credential = stack.registry().register(new NewDevice("q-1", "osaka", null, null), "test").credential();
        int port = Integer.parseInt(stack.mqttUrl().substring(stack.mqttUrl().lastIndexOf(':') + 1));
        Mqtt5BlockingClient client = Mqtt5Client.builder().identifier("q-1").serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username("q-1").password(credential.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        client.connect();
        // A deployment gone wrong: the history table is not where the consumer expects it (as a failed migration leaves it).
        stack.database().jdbi().useHandle(h -> h.execute("ALTER TABLE status_history RENAME TO status_history_misplaced"));
        try {
            for (int seq = 1; seq <= 2; seq++) {
                client.publishWith().topic("dt/signage/q-1/status").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("{\"v\":1,\"deviceId\":\"q-1\",\"bootId\":\"b\",\"seq\":" + seq + ",\"sentAt\":\""
                                + Instant.now() + "\"}").getBytes(StandardCharsets.UTF_8)).send();
            }
            client.publishWith().topic("dt/signage/q-1/status").qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{broken".getBytes(StandardCharsets.UTF_8)).send();
            await().atMost(Duration.ofSeconds(20)).until(() -> api(stack, "/api/quarantine?deviceId=q-1").get("items").size() == 3);
        } finally {
            stack.database().jdbi().useHandle(h -> h.execute("ALTER TABLE status_history_misplaced RENAME TO status_history"));
            client.disconnect();
        }
        assertThat(api(stack, "/api/quarantine?deviceId=q-1").get("items").findValuesAsText("reason"))
                .filteredOn(r -> r.startsWith("refused by the database")).hasSize(2);

        String api = "http://127.0.0.1:" + stack.httpPort();
        Cli dry = cli("quarantine", "replay", "--dry-run", "--device", "q-1", "--api", api, "--password", ADMIN_PASSWORD);
        assertThat(dry.exit()).as(dry.out()).isZero();
        assertThat(dry.out()).contains("Dry run, nothing changed. 3 examined: 2 would be stored", "1 still invalid");
        assertThat(api(stack, "/api/devices/q-1/history").get("items")).isEmpty();

        Cli done = cli("quarantine", "replay", "--api", api, "--password", ADMIN_PASSWORD);
        assertThat(done.exit()).as(done.out()).isZero();
        assertThat(done.out()).contains("3 examined: 2 stored", "STILL_REJECTED");
        assertThat(api(stack, "/api/devices/q-1/history").get("items").findValuesAsText("seq")).containsExactly("1", "2");
        assertThat(api(stack, "/api/fleet/summary").get("delivery").get("quarantinedMessages").asLong()).isEqualTo(1);

        Cli list = cli("quarantine", "--api", api, "--password", ADMIN_PASSWORD);
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains("q-1").contains("1 quarantined message(s)").doesNotContain("refused by the database");
    }

    private record Cli(int exit, String out) {
    }

    private static Cli cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new SignageCommand()).execute(args);
            return new Cli(exit, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }
}
