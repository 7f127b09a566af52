package dev.signagefleet.management;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleSessions;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.LoginThrottle;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.devices.DeviceRoutes;
import dev.signagefleet.management.fleet.FleetRoutes;
import dev.signagefleet.management.ops.OpsRoutes;
import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.telemetry.ingest.BatchApplier;
import dev.signagefleet.telemetry.ingest.TelemetryMessage;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.telemetry.state.StateRules;
import dev.signagefleet.telemetry.status.DeviceStatus;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fleet API over real HTTP against a real PostgreSQL. */
class ManagementApiIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static final String ADMIN_PASSWORD = "correct horse battery staple";
    private static final String VIEWER_PASSWORD = "viewer password 1";
    private static final MutableClock clock = MutableClock.startingNow();
    private static ManagementServer server;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        ConsoleUsers users = new ConsoleUsers(db.jdbi(), clock);
        users.ensureAdmin(Optional.of(ADMIN_PASSWORD));
        users.upsert("viewer", VIEWER_PASSWORD, Role.VIEWER);
        FleetQueries fleet = new FleetQueries(db.jdbi());
        DeviceRegistry registry = new DeviceRegistry(db.jdbi(), clock);
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = ManagementServer.start(new ManagementServer.Options("127.0.0.1", 0),
                new AuthGate(users, new LoginThrottle(clock), new ConsoleSessions(db.jdbi(), clock)), List.of(
                        new DeviceRoutes(fleet, registry, clock, r -> Map.of("mqtt", Map.of("url", "tcp://localhost:1883"))),
                        new FleetRoutes(fleet, () -> Map.of("brokerDroppedMessages", 0)),
                        new OpsRoutes(List.of(new OpsRoutes.ReadinessCheck("database", db.database()::isReachable)), meters)));
        seedFleet(registry);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Three groups of devices, some reporting, through the consumer's real write path. */
    private static void seedFleet(DeviceRegistry registry) {
        BatchApplier applier = new BatchApplier(db.jdbi(), new StateRules(Duration.ofSeconds(30)));
        List<TelemetryMessage> messages = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            String id = String.format("dev-%02d", i);
            String group = i <= 5 ? "tokyo" : i <= 9 ? "osaka" : "nagoya";
            registry.register(new dev.signagefleet.telemetry.registry.NewDevice(id, group,
                    i == 3 ? "=cmd|' /C calc'!A0" : "Screen " + i, i % 2 == 0 ? "Shibuya store" : "Umeda store"), "test");
            if (i <= 10) {
                messages.add(new TelemetryMessage.StatusReport("dt/signage/" + id + "/status", new DeviceStatus(id, "boot",
                        1, clock.instant(), i <= 7 ? "1.0.0" : "1.1.0", 100L, 0.2, 500L, 2048L, 1000L, 40.0, "on",
                        null, null, "10.0.0." + i, "Linux", null)));
            }
        }
        applier.apply(messages, clock.instant());
    }

    private static HttpResponse<String> get(String path, String user, String password) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> admin(String path) throws IOException, InterruptedException {
        return get(path, "admin", ADMIN_PASSWORD);
    }

    private static HttpResponse<String> post(String path, String user, String password, String json)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.mapper().readTree(response.body());
    }

    @Test
    void apiRequiresCredentialsButHealthAndMetricsDoNot() throws Exception {
        HttpResponse<String> anonymous = get("/api/devices", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(anonymous).get("status").asInt()).isEqualTo(401);
        assertThat(get("/api/devices", "admin", "wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> garbled = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/devices"))
                .header("Authorization", "Basic !!!not-base64").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(garbled.statusCode()).isEqualTo(401);
        assertThat(get("/healthz", null, null).statusCode()).isEqualTo(200);
        assertThat(get("/readyz", null, null).statusCode()).isEqualTo(200);
        assertThat(get("/metrics", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void viewerMayReadButNotRegister() throws Exception {
        assertThat(get("/api/fleet/summary", "viewer", VIEWER_PASSWORD).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = post("/api/devices", "viewer", VIEWER_PASSWORD, "{\"deviceId\":\"x\",\"group\":\"g\"}");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused).get("detail").asText()).contains("viewer");
    }

    @Test
    void filtersCombine() throws Exception {
        JsonNode page = json(admin("/api/devices?group=tokyo&agentVersion=1.0.0&connectivity=online"));
        assertThat(page.get("items")).extracting(n -> n.get("deviceId").asText())
                .containsExactly("dev-01", "dev-02", "dev-03", "dev-04", "dev-05");
        JsonNode neverSeen = json(admin("/api/devices?connectivity=never_seen&group=nagoya"));
        assertThat(neverSeen.get("items")).extracting(n -> n.get("deviceId").asText()).containsExactly("dev-11", "dev-12");
        JsonNode search = json(admin("/api/devices?q=shibuya&group=osaka"));
        assertThat(search.get("items")).extracting(n -> n.get("deviceId").asText()).containsExactly("dev-06", "dev-08");
    }

    @Test
    void cursorPagesThroughEveryDeviceOnceInTheChosenOrder() throws Exception {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = json(admin("/api/devices?limit=5&sort=-deviceId" + (cursor == null ? "" : "&cursor=" + cursor)));
            page.get("items").forEach(n -> seen.add(n.get("deviceId").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
        } while (cursor != null);
        assertThat(seen).isSortedAccordingTo(java.util.Comparator.reverseOrder()).doesNotHaveDuplicates()
                .contains("dev-01", "dev-02", "dev-03", "dev-04", "dev-05", "dev-06", "dev-07", "dev-08", "dev-09",
                        "dev-10", "dev-11", "dev-12");
    }

    @Test
    void everySortPagesLikeOneUnpagedRead() throws Exception {
        for (String sort : List.of("lastSeen", "-lastSeen", "group", "-group", "connectivity", "-agentVersion", "contentVersion")) {
            for (String filter : List.of("", "&connectivity=online", "&connectivity=online,never_seen")) {
                List<String> whole = new ArrayList<>();
                json(admin("/api/devices?limit=500&sort=" + sort + filter)).get("items").forEach(n -> whole.add(n.get("deviceId").asText()));
                List<String> paged = new ArrayList<>();
                String cursor = null;
                do {
                    JsonNode page = json(admin("/api/devices?limit=2&sort=" + sort + filter + (cursor == null ? "" : "&cursor=" + cursor)));
                    page.get("items").forEach(n -> paged.add(n.get("deviceId").asText()));
                    cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
                } while (cursor != null);
                assertThat(paged).as("sort=%s%s", sort, filter).isNotEmpty().containsExactlyElementsOf(whole);
            }
        }
    }

    @Test
    void invalidParametersAreExplained() throws Exception {
        HttpResponse<String> badSort = admin("/api/devices?sort=colour");
        assertThat(badSort.statusCode()).isEqualTo(400);
        assertThat(json(badSort).get("parameter").asText()).isEqualTo("sort");
        assertThat(admin("/api/devices?limit=501").statusCode()).isEqualTo(400);
        assertThat(admin("/api/devices?connectivity=sleepy").statusCode()).isEqualTo(400);
        HttpResponse<String> badCursor = admin("/api/devices?cursor=not-a-cursor");
        assertThat(badCursor.statusCode()).isEqualTo(400);
        assertThat(json(badCursor).get("detail").asText()).contains("cursor");
        String otherSortCursor = json(admin("/api/devices?limit=2&sort=lastSeen")).get("nextCursor").asText();
        assertThat(admin("/api/devices?cursor=" + otherSortCursor).statusCode()).isEqualTo(400);
        assertThat(admin("/api/devices/dev-01/history?from=yesterday").statusCode()).isEqualTo(400);
        assertThat(admin("/api/devices/nobody").statusCode()).isEqualTo(404);
        assertThat(admin("/api/devices/nobody/history").statusCode()).isEqualTo(404);
        assertThat(json(admin("/api/devices/dev-08/history?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z")).get("items")).isEmpty();
    }

    @Test
    void deviceDetailHistoryAndEvents() throws Exception {
        JsonNode device = json(admin("/api/devices/dev-08"));
        assertThat(device.get("group").asText()).isEqualTo("osaka");
        assertThat(device.get("connectivity").get("state").asText()).isEqualTo("online");
        assertThat(device.get("latest").get("agentVersion").asText()).isEqualTo("1.1.0");
        JsonNode history = json(admin("/api/devices/dev-08/history"));
        assertThat(history.get("items")).hasSize(1);
        JsonNode events = json(admin("/api/devices/dev-08/events"));
        assertThat(events.get("items").get(0).get("type").asText()).isEqualTo("signage.device.online.v1");
    }

    @Test
    void summaryCountsByConnectivityGroupAndVersion() throws Exception {
        JsonNode summary = json(admin("/api/fleet/summary"));
        assertThat(summary.get("byConnectivity").get("online").asLong()).isGreaterThanOrEqualTo(10);
        assertThat(summary.get("byGroup").get("nagoya").get("never_seen").asLong()).isEqualTo(2);
        assertThat(summary.get("byGroup").get("nagoya").get("total").asLong()).isEqualTo(3);
        assertThat(summary.get("byAgentVersion").get("1.1.0").asLong()).isEqualTo(3);
        assertThat(summary.get("delivery").has("brokerDroppedMessages")).isTrue();
    }

    @Test
    void suggestedNamesAreTheSummarysGroupsAndVersions() {
        FleetQueries fleet = new FleetQueries(db.jdbi());
        FleetQueries.FleetSummary summary = fleet.summary();
        assertThat(fleet.groupNames()).containsExactlyElementsOf(
                summary.byGroup().keySet().stream().filter(g -> !g.startsWith("(")).sorted().toList()).contains("nagoya", "osaka", "tokyo");
        assertThat(fleet.agentVersions()).containsExactlyElementsOf(
                summary.byAgentVersion().keySet().stream().filter(v -> !v.startsWith("(")).sorted().toList()).contains("1.0.0", "1.1.0");
    }

    @Test
    void csvExportDefusesFormulaCells() throws Exception {
        HttpResponse<String> csv = admin("/api/devices.csv?group=tokyo");
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
        assertThat(csv.body()).contains("\"'=cmd|' /C calc'!A0\"");
        assertThat(csv.body().lines()).hasSize(6);
    }

    @Test
    void anIdThatWouldNameTheGroupsTopicsCannotBeRegistered() throws Exception {
        HttpResponse<String> refused = post("/api/devices", "admin", ADMIN_PASSWORD, "{\"deviceId\":\"group\",\"group\":\"osaka\"}");
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("reserved");
    }

    @Test
    void consolePasswordsAreStoredOnlyAsStrongHashes() {
        List<String> stored = db.jdbi().withHandle(h -> h.createQuery("SELECT password_hash FROM console_users ORDER BY username")
                .mapTo(String.class).list());
        assertThat(stored).hasSizeGreaterThanOrEqualTo(2).allSatisfy(hash -> {
            assertThat(hash).startsWith("pbkdf2-sha256$" + dev.signagefleet.common.security.PasswordHasher.HUMAN_PASSWORD_ITERATIONS + "$");
            assertThat(hash).doesNotContain(ADMIN_PASSWORD).doesNotContain(VIEWER_PASSWORD);
        });
        assertThat(stored).doesNotHaveDuplicates(); // salted
    }

    @Test
    void registrationReturnsTheCredentialOnceAndRefusesDuplicates() throws Exception {
        HttpResponse<String> created = post("/api/devices", "admin", ADMIN_PASSWORD,
                "{\"deviceId\":\"new-01\",\"group\":\"newcomers\",\"name\":\"Entrance\",\"location\":\"B1\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).hasValue("/api/devices/new-01");
        JsonNode body = json(created);
        assertThat(body.get("credential").asText()).hasSize(43);
        assertThat(body.get("mqtt").get("url").asText()).isEqualTo("tcp://localhost:1883");
        String stored = db.jdbi().withHandle(h -> h.createQuery("SELECT credential_hash FROM devices WHERE device_id = 'new-01'")
                .mapTo(String.class).one());
        assertThat(stored).startsWith("pbkdf2-sha256$").doesNotContain(body.get("credential").asText());
        assertThat(json(admin("/api/devices/new-01")).get("connectivity").get("state").asText()).isEqualTo("never_seen");

        HttpResponse<String> again = post("/api/devices", "admin", ADMIN_PASSWORD, "{\"deviceId\":\"new-01\",\"group\":\"tokyo\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        HttpResponse<String> invalid = post("/api/devices", "admin", ADMIN_PASSWORD, "{\"deviceId\":\"bad id!\",\"group\":\"\"}");
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(json(invalid).get("errors")).hasSize(2);
        HttpResponse<String> notJson = post("/api/devices", "admin", ADMIN_PASSWORD, "{nope");
        assertThat(notJson.statusCode()).isEqualTo(400);
    }

    @Test
    void repeatedWrongPasswordsAreThrottled() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(get("/api/devices", "throttled-user", "guess" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = get("/api/devices", "throttled-user", "guess-again");
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
        clock.advance(Duration.ofMinutes(20));
    }
}
