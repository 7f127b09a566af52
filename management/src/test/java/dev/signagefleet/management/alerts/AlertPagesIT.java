package dev.signagefleet.management.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.management.ManagementServer;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleSessions;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.LoginThrottle;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.console.AlertPages;
import dev.signagefleet.management.console.Console;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The console's alerts page over real HTTP: viewers look, admins change rules and webhooks. */
class AlertPagesIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static final String ADMIN_PASSWORD = "correct horse battery staple";
    private static final String VIEWER_PASSWORD = "viewer password 1";
    private static final MutableClock clock = new MutableClock(Instant.parse("2030-03-01T09:00:00Z"));
    private static final HttpClient http = HttpClient.newHttpClient();
    private static ManagementServer server;
    private static Console console;
    private static Alerts alerts;

    @BeforeAll
    static void start() {
        ConsoleUsers users = new ConsoleUsers(db.jdbi(), clock);
        users.ensureAdmin(Optional.of(ADMIN_PASSWORD));
        users.upsert("viewer", VIEWER_PASSWORD, Role.VIEWER);
        AuthGate gate = new AuthGate(users, new LoginThrottle(clock), new ConsoleSessions(db.jdbi(), clock));
        console = new Console(gate, ZoneOffset.UTC, clock);
        alerts = new Alerts(db.jdbi(), clock);
        server = ManagementServer.start(new ManagementServer.Options("127.0.0.1", 0), gate,
                List.of(new AlertPages(console, alerts)), console.problemPage());
    }

    @AfterAll
    static void stop() {
        console.live().close();
        server.close();
    }

    @BeforeEach
    void clean() {
        new FleetFixture(db.jdbi()).reset();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(String path, String auth, String language) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", auth).header("Accept-Language", language).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String auth, String... fields) throws IOException, InterruptedException {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < fields.length; i += 2) {
            form.append(form.length() == 0 ? "" : "&").append(fields[i]).append('=')
                    .append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
        }
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", auth).header("Accept-Language", "en")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final String ADMIN = basic("admin", ADMIN_PASSWORD);
    private static final String VIEWER = basic("viewer", VIEWER_PASSWORD);

    @Test
    void anAdminAddsARuleAndAWebhookWhoseSecretIsShownOnce() throws Exception {
        HttpResponse<String> added = post("/console/alerts/rules", ADMIN, "kind", "device_offline", "group", "tokyo",
                "thresholdMinutes", "15");
        assertThat(added.statusCode()).isEqualTo(303);
        assertThat(added.headers().firstValue("Location")).hasValue("/console/alerts?notice=alertRuleAdded");
        assertThat(alerts.rules()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(AlertKind.DEVICE_OFFLINE);
            assertThat(r.group()).isEqualTo("tokyo");
            assertThat(r.thresholdMinutes()).isEqualTo(15);
            assertThat(r.createdBy()).isEqualTo("admin");
        });

        HttpResponse<String> hook = post("/console/alerts/webhooks", ADMIN, "url", "https://hooks.example.com/T0/secret-path");
        assertThat(hook.statusCode()).isEqualTo(200);
        assertThat(hook.body()).contains("id=\"webhook-secret\"").contains("X-Signage-Signature");

        HttpResponse<String> page = get("/console/alerts?notice=alertRuleAdded", ADMIN, "en");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Rule added.").contains("Device offline").contains("tokyo").contains("15 min")
                .contains("https://hooks.example.com/T0/secret-path").contains("data-live=\"/console/live/alerts\"")
                .doesNotContain("id=\"webhook-secret\"");
    }

    @Test
    void viewersSeeAlertsButNeitherChangeAnythingNorSeeWebhookPaths() throws Exception {
        alerts.addWebhook("https://hooks.example.com/T0/secret-path", "admin");

        HttpResponse<String> page = get("/console/alerts", VIEWER, "en");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("https://hooks.example.com/…").doesNotContain("secret-path")
                .doesNotContain("id=\"rule-form\"");

        assertThat(post("/console/alerts/rules", VIEWER, "kind", "upload_failed").statusCode()).isEqualTo(403);
        assertThat(alerts.rules()).isEmpty();
    }

    @Test
    void aWrongFormIsShownAgainWithWhatIsWrong() throws Exception {
        HttpResponse<String> badUrl = post("/console/alerts/webhooks", ADMIN, "url", "ftp://example.com/hook");
        assertThat(badUrl.statusCode()).isEqualTo(400);
        assertThat(badUrl.body()).contains("id=\"alert-form-errors\"").contains("http:// or https://");
        assertThat(alerts.webhooks()).isEmpty();

        HttpResponse<String> badThreshold = post("/console/alerts/rules", ADMIN, "kind", "device_offline", "thresholdMinutes", "soon");
        assertThat(badThreshold.statusCode()).isEqualTo(400);
        assertThat(badThreshold.body()).contains("whole number");
        assertThat(alerts.rules()).isEmpty();
    }

    @Test
    void rulesAreDisabledAndDeletedAndTestAlertsQueued() throws Exception {
        AlertRule rule = alerts.addRule(AlertKind.UPLOAD_FAILED, null, null, "admin");
        long webhook = alerts.addWebhook("http://127.0.0.1:9/hook", "admin").webhook().id();

        assertThat(post("/console/alerts/rules/" + rule.id() + "/disable", ADMIN).statusCode()).isEqualTo(303);
        assertThat(alerts.rules().get(0).enabled()).isFalse();
        assertThat(post("/console/alerts/webhooks/" + webhook + "/test", ADMIN).headers().firstValue("Location"))
                .hasValue("/console/alerts?notice=alertTestQueued");
        assertThat(alerts.deliveries(10)).singleElement().satisfies(d -> assertThat(d.alertKind()).isEqualTo("test"));
        assertThat(post("/console/alerts/rules/" + rule.id() + "/delete", ADMIN).statusCode()).isEqualTo(303);
        assertThat(alerts.rules()).isEmpty();
        assertThat(post("/console/alerts/rules/" + rule.id() + "/delete", ADMIN).statusCode()).isEqualTo(404);

        HttpResponse<String> japanese = get("/console/alerts", ADMIN, "ja");
        assertThat(japanese.body()).contains("配信ログ").contains("テストアラート");
    }
}
