package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import dev.signagefleet.testing.FreePorts;
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
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The walking system end to end, as `./signage up` runs it: embedded broker, queue server and
 * PostgreSQL, the consumer, the HTTP API and simulated terminals running the real agent code.
 */
class StackIT {

    private static final String ADMIN_PASSWORD = "stack-it-admin-password";
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
        Stack stack = Stack.start(options, Clock.systemUTC());
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
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
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
}
