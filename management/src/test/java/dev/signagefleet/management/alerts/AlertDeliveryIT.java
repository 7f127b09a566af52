package dev.signagefleet.management.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Webhook deliveries to a real local HTTP receiver: signature, retries with backoff, giving up. */
class AlertDeliveryIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static final Instant T0 = Instant.parse("2030-03-01T09:00:00Z");

    private MutableClock clock;
    private Alerts alerts;
    private WebhookReceiver receiver;
    private FleetFixture fleet;

    @BeforeEach
    void setUp() throws IOException {
        clock = new MutableClock(T0);
        alerts = new Alerts(db.jdbi(), clock);
        fleet = new FleetFixture(db.jdbi());
        fleet.reset();
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    private WebhookDispatcher dispatcher(int maxAttempts) {
        return new WebhookDispatcher(db.jdbi(), clock, AlertsConfig.defaults().withMaxAttempts(maxAttempts));
    }

    /** A webhook to the receiver with a test alert waiting for it. */
    private Alerts.CreatedWebhook testAlertQueued() {
        Alerts.CreatedWebhook hook = alerts.addWebhook(receiver.url("/hook"), "admin");
        alerts.sendTest(hook.webhook().id(), "admin").orElseThrow();
        return hook;
    }

    private static String hmacHex(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void everyDeliveryIsSignedWithTheWebhookSecret() throws Exception {
        Alerts.CreatedWebhook hook = alerts.addWebhook(receiver.url("/signage"), "admin");
        long alertId = alerts.sendTest(hook.webhook().id(), "admin").orElseThrow();

        assertThat(dispatcher(8).runOnce()).isEqualTo(1);

        WebhookReceiver.Received got = receiver.received().get(0);
        assertThat(got.path()).isEqualTo("/signage");
        assertThat(got.header("Content-Type")).isEqualTo("application/json");
        assertThat(got.header(WebhookSignature.HEADER)).isEqualTo("sha256=" + hmacHex(hook.secret(), got.body()));
        assertThat(got.header(WebhookSignature.HEADER)).isNotEqualTo("sha256=" + hmacHex("another secret", got.body()));
        assertThat(got.header(WebhookSignature.TIMESTAMP_HEADER)).isEqualTo(String.valueOf(T0.getEpochSecond()));
        WebhookDelivery delivery = alerts.deliveries(10).get(0);
        assertThat(got.header(WebhookSignature.DELIVERY_HEADER)).isEqualTo(delivery.id().toString());
        JsonNode body = Json.mapper().readTree(got.body());
        assertThat(body.get("alertId").asLong()).isEqualTo(alertId);
        assertThat(body.get("kind").asText()).isEqualTo("test");
        assertThat(body.get("message").asText()).contains("Test alert");
        assertThat(body.get("raisedAt").asText()).isEqualTo(T0.toString());
        assertThat(delivery.state()).isEqualTo(WebhookDelivery.DELIVERED);
        assertThat(delivery.attempts()).isEqualTo(1);
        assertThat(delivery.lastStatus()).isEqualTo(200);
        assertThat(delivery.deliveredAt()).isEqualTo(T0);

        assertThat(dispatcher(8).runOnce()).as("a delivered alert is not sent again").isZero();
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void aStormReachesTheReceiverWithItsDevices() throws Exception {
        alerts.addWebhook(receiver.url("/hook"), "admin");
        alerts.addRule(AlertKind.DEVICE_OFFLINE, "tokyo", Duration.ofMinutes(5), "admin");
        for (int i = 1; i <= 15; i++) {
            fleet.device(String.format("dev-%02d", i), "tokyo", "offline", T0);
        }
        clock.advance(Duration.ofMinutes(5));
        assertThat(new AlertEngine(db.jdbi(), clock, alerts, 10).runOnce()).isEqualTo(1);

        assertThat(dispatcher(8).runOnce()).isEqualTo(1);

        JsonNode body = Json.mapper().readTree(receiver.received().get(0).body());
        assertThat(body.get("kind").asText()).isEqualTo("device_offline");
        assertThat(body.get("subject").asText()).isEqualTo("storm");
        assertThat(body.get("group").asText()).isEqualTo("tokyo");
        assertThat(body.get("deviceCount").asInt()).isEqualTo(15);
        assertThat(body.get("devices")).hasSize(15);
        assertThat(body.get("devices").get(0).asText()).isEqualTo("dev-01");
    }

    @Test
    void aFailedAttemptIsRetriedAfterTheBackoffAndEndsDelivered() {
        testAlertQueued();
        receiver.answerNext(new WebhookReceiver.Answer(500, "database is down"));
        WebhookDispatcher dispatcher = dispatcher(8);

        assertThat(dispatcher.runOnce()).isZero();
        WebhookDelivery first = alerts.deliveries(1).get(0);
        assertThat(first.state()).isEqualTo(WebhookDelivery.PENDING);
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(first.lastStatus()).isEqualTo(500);
        assertThat(first.lastError()).contains("HTTP 500").contains("database is down");
        assertThat(first.nextAttemptAt()).isEqualTo(T0.plus(AlertsConfig.DEFAULT_FIRST_RETRY));

        clock.advance(AlertsConfig.DEFAULT_FIRST_RETRY.minusSeconds(1));
        assertThat(dispatcher.runOnce()).isZero();
        assertThat(receiver.received()).as("not before the backoff").hasSize(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(dispatcher.runOnce()).isEqualTo(1);
        List<WebhookReceiver.Received> got = receiver.received();
        assertThat(got).hasSize(2);
        assertThat(got.get(1).header(WebhookSignature.DELIVERY_HEADER)).as("receivers deduplicate on it")
                .isEqualTo(got.get(0).header(WebhookSignature.DELIVERY_HEADER));
        assertThat(got.get(1).body()).isEqualTo(got.get(0).body());
        WebhookDelivery done = alerts.deliveries(1).get(0);
        assertThat(done.state()).isEqualTo(WebhookDelivery.DELIVERED);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.lastStatus()).isEqualTo(200);
        assertThat(done.lastError()).isNull();
    }

    @Test
    void theWaitDoublesAndADeliveryIsGivenUpAfterTheLastAttempt() {
        testAlertQueued();
        receiver.otherwise(new WebhookReceiver.Answer(503, ""));
        WebhookDispatcher dispatcher = dispatcher(4);

        dispatcher.runOnce();
        assertThat(alerts.deliveries(1).get(0).nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(10));
        clock.advance(Duration.ofSeconds(10));
        dispatcher.runOnce();
        assertThat(alerts.deliveries(1).get(0).nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(20));
        clock.advance(Duration.ofSeconds(20));
        dispatcher.runOnce();
        assertThat(alerts.deliveries(1).get(0).nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(40));
        clock.advance(Duration.ofSeconds(40));
        dispatcher.runOnce();

        WebhookDelivery given = alerts.deliveries(1).get(0);
        assertThat(given.state()).isEqualTo(WebhookDelivery.FAILED);
        assertThat(given.attempts()).isEqualTo(4);
        assertThat(given.lastStatus()).isEqualTo(503);
        clock.advance(Duration.ofHours(1));
        assertThat(dispatcher.runOnce()).isZero();
        assertThat(receiver.received()).hasSize(4);
    }

    @Test
    void anUnreachableReceiverCountsAsAFailedAttempt() {
        String url = receiver.url("/hook");
        receiver.close();
        Alerts.CreatedWebhook hook = alerts.addWebhook(url, "admin");
        alerts.sendTest(hook.webhook().id(), "admin");

        assertThat(dispatcher(8).runOnce()).isZero();

        WebhookDelivery d = alerts.deliveries(1).get(0);
        assertThat(d.state()).isEqualTo(WebhookDelivery.PENDING);
        assertThat(d.attempts()).isEqualTo(1);
        assertThat(d.lastStatus()).isNull();
        assertThat(d.lastError()).isNotBlank();
    }

    @Test
    void onlyTheStartOfALongAnswerIsRead() {
        testAlertQueued();
        receiver.answerNext(new WebhookReceiver.Answer(500, "x".repeat(1_000_000)));

        dispatcher(8).runOnce();

        WebhookDelivery d = alerts.deliveries(1).get(0);
        assertThat(d.lastStatus()).isEqualTo(500);
        assertThat(d.lastError()).startsWith("HTTP 500: xxx").hasSizeLessThan(300);
    }

    @Test
    void aDisabledWebhookGetsNothingUntilEnabledAgain() {
        Alerts.CreatedWebhook hook = testAlertQueued();
        alerts.setWebhookEnabled(hook.webhook().id(), false);

        assertThat(dispatcher(8).runOnce()).isZero();
        assertThat(receiver.received()).isEmpty();
        assertThat(alerts.sendTest(hook.webhook().id(), "admin")).as("no test alert to a disabled webhook").isEmpty();

        alerts.setWebhookEnabled(hook.webhook().id(), true);
        assertThat(dispatcher(8).runOnce()).isEqualTo(1);
    }

    @Test
    void theServiceRaisesAndDeliversInTheBackground() {
        alerts.addWebhook(receiver.url("/hook"), "admin");
        alerts.addRule(AlertKind.UPLOAD_FAILED, null, null, "admin");
        fleet.upload("slides.csv", "FAILED", "row 2: duration_sec must be a number", null, T0, T0);

        try (AlertsService service = new AlertsService(db.jdbi(), clock, Duration.ofMillis(100))) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(service.alerts().deliveries(10))
                    .singleElement().satisfies(d -> assertThat(d.state()).isEqualTo(WebhookDelivery.DELIVERED)));
        }
        assertThat(receiver.received()).hasSize(1);
        assertThat(receiver.received().get(0).bodyText()).contains("upload_failed").contains("duration_sec");
    }

    @Test
    void onlyHttpAndHttpsUrlsAreAccepted() {
        for (String bad : List.of("ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "example.com/hook",
                "http:///nohost", "https://user:pw@example.com/hook", "", "http://exa mple.com/")) {
            assertThatThrownBy(() -> alerts.addWebhook(bad, "admin")).as(bad)
                    .isInstanceOf(InvalidAlertSettingException.class)
                    .satisfies(e -> assertThat(((InvalidAlertSettingException) e).field()).isEqualTo("url"));
        }
        assertThat(alerts.webhooks()).isEmpty();
        assertThat(alerts.addWebhook("HTTPS://hooks.example.com/services/T0/B0/secret?x=1", "admin").webhook()
                .redactedUrl()).isEqualTo("HTTPS://hooks.example.com/…");
    }
}
