package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.launcher.simulator.FleetSimulator;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Upload to screens: simulated terminals running the real agent download the new package, switch
 * to it and report it; a terminal that was off during the upload catches up when it comes back.
 */
class TerminalsAdoptContentIT {

    private static final String ADMIN_PASSWORD = "adopt-it";
    private static final HttpClient http = HttpClient.newHttpClient();
    private static Stack stack;
    private static String base;
    private static Path dataDir;

    @BeforeAll
    static void start() throws IOException {
        dataDir = Files.createTempDirectory("adopt-it-");
        StackOptions options = TestStacks.local(dataDir, 4, ADMIN_PASSWORD);
        stack = Stack.start(options, Settings.of(Map.of()), Clock.systemUTC());
        base = "http://127.0.0.1:" + stack.httpPort();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static JsonNode get(String path) throws IOException, InterruptedException {
        return Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", TestStacks.basic("admin", ADMIN_PASSWORD))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void terminalsSwitchToTheNewVersionAndAnOfflineOneCatchesUpWhenItReturns() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/fleet/summary").get("byConnectivity").get("online").asLong() == 4);
        FleetSimulator simulator = stack.simulator().orElseThrow();
        simulator.stopTerminal("sim-0003");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                get("/api/devices/sim-0003").get("connectivity").get("state").asText().equals("offline"));

        String uploadId = upload("slide_id,title,duration_sec\neveryone,For every screen,8\n");

        await().atMost(Duration.ofSeconds(60)).until(() -> get("/api/uploads/" + uploadId).get("status").asText().equals("DONE"));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                get("/api/uploads/" + uploadId).get("terminals").get("text").asText().equals("3 of 4"));
        JsonNode online = get("/api/devices/sim-0001");
        assertThat(online.get("content").get("sync").asText()).isEqualTo("in_sync");
        assertThat(online.get("latest").get("contentVersion").asText()).startsWith("tokyo-east@");
        JsonNode missing = get("/api/devices/sim-0003");
        assertThat(missing.get("content").get("sync").asText()).isIn("pending", "out_of_sync");
        assertThat(Files.readString(dataDir.resolve("simulator/content/sim-0001/current")).trim()).startsWith("versions/tokyo-east+");

        simulator.startTerminal("sim-0003");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                get("/api/uploads/" + uploadId).get("terminals").get("text").asText().equals("4 of 4"));
        assertThat(get("/api/devices/sim-0003").get("content").get("sync").asText()).isEqualTo("in_sync");
        // the summary's counts may be a few seconds old (FleetRoutes.MAX_STALE)
        await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/fleet/summary").get("byContentSync").get("in_sync").asLong() == 4);
    }

    private static String upload(String csv) throws IOException, InterruptedException {
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/uploads"))
                .header("Authorization", TestStacks.basic("admin", ADMIN_PASSWORD)).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString(csv)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return Json.mapper().readTree(accepted.body()).get("uploadId").asText();
    }

    private static HttpResponse<String> moveToGroup(String deviceId, String group) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/devices/" + deviceId + "/group"))
                .header("Authorization", TestStacks.basic("admin", ADMIN_PASSWORD)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"group\":\"" + group + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aTerminalMovedToAnotherGroupShowsThatGroupsContentAndStaysThereAfterARestart() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/fleet/summary").get("byConnectivity").get("online").asLong() == 4);
        String uploadId = upload("slide_id,title,duration_sec,target_group\neast,East only,8,tokyo-east\nkansai,Osaka only,8,osaka\n");
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/api/uploads/" + uploadId).get("status").asText().equals("DONE"));
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/api/devices/sim-0001").get("content").get("sync").asText().equals("in_sync")
                && get("/api/devices/sim-0003").get("content").get("sync").asText().equals("in_sync"));
        String osakaVersion = get("/api/devices/sim-0003").get("latest").get("contentVersion").asText();
        assertThat(osakaVersion).startsWith("osaka@");
        FleetSimulator simulator = stack.simulator().orElseThrow();
        try {
            HttpResponse<String> moved = moveToGroup("sim-0001", "osaka");
            assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
            JsonNode answer = Json.mapper().readTree(moved.body());
            assertThat(answer.get("previousGroup").asText()).isEqualTo("tokyo-east");
            assertThat(answer.get("moved").asBoolean()).isTrue();
            assertThat(get("/api/devices/sim-0001").get("group").asText()).isEqualTo("osaka");

            // the terminal logs in again with the new group's permission, takes osaka's package and reports it
            await().atMost(Duration.ofSeconds(60)).until(() -> osakaVersion.equals(
                    get("/api/devices/sim-0001").path("latest").path("contentVersion").asText(null)));
            JsonNode device = get("/api/devices/sim-0001");
            assertThat(device.get("content").get("sync").asText()).isEqualTo("in_sync");
            assertThat(device.get("content").get("expected").asText()).isEqualTo(osakaVersion);
            assertThat(device.get("connectivity").get("state").asText()).isEqualTo("online");

            HttpResponse<String> again = moveToGroup("sim-0001", "osaka");
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(Json.mapper().readTree(again.body()).get("moved").asBoolean()).as("idempotent").isFalse();
            assertThat(moveToGroup("no-such-device", "osaka").statusCode()).isEqualTo(404);
            assertThat(moveToGroup("sim-0001", "../osaka").statusCode()).isEqualTo(422);

            // a restart comes back in the new group: the next osaka-only version reaches it
            simulator.stopTerminal("sim-0001");
            simulator.startTerminal("sim-0001");
            assertThat(Files.readString(dataDir.resolve("simulator/content/sim-0001/group")).strip()).isEqualTo("osaka");
            String next = upload("slide_id,title,duration_sec,target_group\nkansai2,Osaka again,8,osaka\n");
            await().atMost(Duration.ofSeconds(60)).until(() -> get("/api/uploads/" + next).get("status").asText().equals("DONE"));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                String shown = get("/api/devices/sim-0001").path("latest").path("contentVersion").asText("");
                return shown.startsWith("osaka@") && !shown.equals(osakaVersion);
            });
            assertThat(get("/api/devices/sim-0001").get("content").get("sync").asText()).isEqualTo("in_sync");
        } finally {
            assertThat(moveToGroup("sim-0001", "tokyo-east").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    get("/api/devices/sim-0001").path("latest").path("contentVersion").asText("").startsWith("tokyo-east@"));
        }
    }

    private static Path newestPackage(String group) throws IOException {
        try (var files = Files.list(dataDir.resolve("content-packages").resolve(group))) {
            return files.filter(f -> f.getFileName().toString().matches("\\d+\\.zip"))
                    .max(java.util.Comparator.comparingLong(f -> Long.parseLong(f.getFileName().toString().replace(".zip", ""))))
                    .orElseThrow();
        }
    }

    @Test
    void aTerminalThatCannotUseItsPackageSaysWhyAndKeepsThePreviousContentUntilTheNextVersion() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/api/fleet/summary").get("byConnectivity").get("online").asLong() == 4);
        FleetSimulator simulator = stack.simulator().orElseThrow();
        simulator.stopTerminal("sim-0002");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                get("/api/devices/sim-0002").get("connectivity").get("state").asText().equals("offline"));
        String before = get("/api/devices/sim-0002").path("latest").path("contentVersion").asText(null);

        String uploadId = upload("slide_id,title,duration_sec\nbroken-download,Damaged on the way,9\n");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                get("/api/uploads/" + uploadId).get("terminals").get("text").asText().equals("3 of 4"));
        // The package is damaged between the server and the terminal (here: on the server's disk).
        Path damaged = newestPackage("tokyo-west");
        byte[] original = Files.readAllBytes(damaged);
        byte[] bytes = original.clone();
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(damaged, bytes);

        simulator.startTerminal("sim-0002");
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/api/devices/sim-0002").get("content").hasNonNull("error"));
        JsonNode device = get("/api/devices/sim-0002");
        assertThat(device.get("content").get("error").asText()).containsIgnoringCase("sha256");
        assertThat(device.get("content").get("sync").asText()).isIn("pending", "out_of_sync");
        assertThat(device.get("latest").path("contentVersion").asText(null)).as("still shows what it showed").isEqualTo(before);

        Files.write(damaged, original);
        String next = upload("slide_id,title,duration_sec\nrepaired,Delivered whole,9\n");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                get("/api/uploads/" + next).get("terminals").get("text").asText().equals("4 of 4"));
        JsonNode repaired = get("/api/devices/sim-0002");
        assertThat(repaired.get("content").get("sync").asText()).isEqualTo("in_sync");
        assertThat(repaired.get("content").hasNonNull("error")).as(repaired.toString()).isFalse();
    }
}
