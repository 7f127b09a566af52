package dev.signagefleet.management.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The alert engine against a real PostgreSQL: which conditions raise alerts, when, and only once. */
class AlertEngineIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static final Instant T0 = Instant.parse("2030-03-01T09:00:00Z");
    private static final Duration FIVE_MIN = Duration.ofMinutes(5);

    private MutableClock clock;
    private Alerts alerts;
    private AlertEngine engine;
    private FleetFixture fleet;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(T0);
        alerts = new Alerts(db.jdbi(), clock);
        engine = new AlertEngine(db.jdbi(), clock, alerts, AlertsConfig.DEFAULT_STORM_THRESHOLD);
        fleet = new FleetFixture(db.jdbi());
        fleet.reset();
    }

    @Test
    void offlineDeviceRaisesOneAlertOnceTheThresholdHasPassedAndNotBefore() {
        alerts.addRule(AlertKind.DEVICE_OFFLINE, null, FIVE_MIN, "admin");
        alerts.addWebhook("http://127.0.0.1:9/hook", "admin");
        fleet.device("dev-1", "tokyo", "offline", T0);
        fleet.device("dev-2", "tokyo", "online", T0);

        clock.set(T0.plus(FIVE_MIN).minusSeconds(1));
        assertThat(engine.runOnce()).isZero();
        assertThat(alerts.recent(10)).isEmpty();

        clock.set(T0.plus(FIVE_MIN));
        assertThat(engine.runOnce()).isEqualTo(1);
        List<Alert> raised = alerts.recent(10);
        assertThat(raised).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo("device_offline");
            assertThat(a.subject()).isEqualTo("dev-1");
            assertThat(a.group()).isEqualTo("tokyo");
            assertThat(a.deviceCount()).isEqualTo(1);
            assertThat(a.deviceIds()).containsExactly("dev-1");
            assertThat(a.message()).contains("dev-1").contains("offline since " + T0);
        });
        assertThat(alerts.deliveries(10)).singleElement().satisfies(d -> {
            assertThat(d.alertId()).isEqualTo(raised.get(0).id());
            assertThat(d.state()).isEqualTo(WebhookDelivery.PENDING);
            assertThat(d.attempts()).isZero();
        });

        clock.advance(Duration.ofMinutes(30));
        assertThat(engine.runOnce()).as("the same offline period is raised once").isZero();
        assertThat(alerts.recent(10)).hasSize(1);
        assertThat(alerts.deliveries(10)).hasSize(1);
    }

    @Test
    void aNewOfflinePeriodRaisesANewAlert() {
        alerts.addRule(AlertKind.DEVICE_OFFLINE, null, FIVE_MIN, "admin");
        fleet.device("dev-1", "tokyo", "offline", T0);
        clock.set(T0.plus(FIVE_MIN));
        assertThat(engine.runOnce()).isEqualTo(1);

        Instant back = T0.plus(Duration.ofMinutes(10));
        fleet.connectivity("dev-1", "online", back);
        Instant gone = back.plus(Duration.ofMinutes(1));
        fleet.connectivity("dev-1", "offline", gone);
        clock.set(gone.plus(FIVE_MIN));

        assertThat(engine.runOnce()).isEqualTo(1);
        assertThat(alerts.recent(10)).extracting(Alert::message)
                .anySatisfy(m -> assertThat(m).contains("offline since " + gone))
                .anySatisfy(m -> assertThat(m).contains("offline since " + T0));
    }

    @Test
    void aRuleWithAGroupWatchesOnlyThatGroup() {
        alerts.addRule(AlertKind.DEVICE_OFFLINE, "osaka", FIVE_MIN, "admin");
        fleet.device("tokyo-1", "tokyo", "offline", T0);
        fleet.device("osaka-1", "osaka", "offline", T0);
        clock.set(T0.plus(FIVE_MIN));

        assertThat(engine.runOnce()).isEqualTo(1);
        assertThat(alerts.recent(10)).extracting(Alert::subject).containsExactly("osaka-1");
    }

    @Test
    void aDisabledRuleRaisesNothing() {
        AlertRule rule = alerts.addRule(AlertKind.DEVICE_OFFLINE, null, FIVE_MIN, "admin");
        alerts.setRuleEnabled(rule.id(), false);
        fleet.device("dev-1", "tokyo", "offline", T0);
        clock.set(T0.plus(FIVE_MIN));

        assertThat(engine.runOnce()).isZero();
    }

    @Test
    void offlineStormOfFifteenDevicesArrivesAsOneGroupedAlert() {
        alerts.addRule(AlertKind.DEVICE_OFFLINE, null, FIVE_MIN, "admin");
        alerts.addWebhook("http://127.0.0.1:9/hook", "admin");
        for (int i = 1; i <= 15; i++) {
            fleet.device(String.format("dev-%02d", i), "tokyo", "offline", T0.plusSeconds(i));
        }
        clock.set(T0.plus(Duration.ofMinutes(6)));

        assertThat(engine.runOnce()).isEqualTo(1);
        assertThat(alerts.recent(10)).singleElement().satisfies(a -> {
            assertThat(a.storm()).isTrue();
            assertThat(a.subject()).isEqualTo(Alert.STORM_SUBJECT);
            assertThat(a.deviceCount()).isEqualTo(15);
            assertThat(a.deviceIds()).hasSize(15).startsWith("dev-01", "dev-02").contains("dev-15");
            assertThat(a.message()).startsWith("15 devices offline for at least 5 min").contains("and 5 more");
        });
        assertThat(alerts.deliveries(10)).hasSize(1);

        clock.advance(Duration.ofMinutes(1));
        assertThat(engine.runOnce()).as("no device of the storm is raised again on its own").isZero();

        fleet.device("dev-16", "tokyo", "offline", clock.instant());
        clock.advance(FIVE_MIN);
        assertThat(engine.runOnce()).isEqualTo(1);
        assertThat(alerts.recent(1)).singleElement().satisfies(a -> assertThat(a.subject()).isEqualTo("dev-16"));
    }

    @Test
    void aStormListsTheFirstFiftyDevicesAndCountsAll() {
        alerts.addRule(AlertKind.DEVICE_OFFLINE, null, FIVE_MIN, "admin");
        for (int i = 1; i <= 60; i++) {
            fleet.device(String.format("dev-%02d", i), "tokyo", "offline", T0);
        }
        clock.set(T0.plus(FIVE_MIN));

        assertThat(engine.runOnce()).isEqualTo(1);
        Alert storm = alerts.recent(1).get(0);
        assertThat(storm.deviceCount()).isEqualTo(60);
        assertThat(storm.deviceIds()).hasSize(Alert.MAX_LISTED_DEVICES).startsWith("dev-01").endsWith("dev-50");
    }

    @Test
    void deviceBackOnlineAfterAnOfflineAlertRaisesOneBackOnlineAlert() {
        alerts.addRule(AlertKind.DEVICE_OFFLINE, null, FIVE_MIN, "admin");
        alerts.addRule(AlertKind.DEVICE_ONLINE, null, null, "admin");
        fleet.device("dev-1", "tokyo", "offline", T0);
        fleet.device("blip", "tokyo", "offline", T0);
        clock.set(T0.plus(FIVE_MIN));
        assertThat(engine.runOnce()).isEqualTo(2);

        Instant back = T0.plus(Duration.ofMinutes(7));
        fleet.connectivity("dev-1", "online", back);
        clock.set(back.plusSeconds(3));
        assertThat(engine.runOnce()).isEqualTo(1);
        assertThat(alerts.recent(1)).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo("device_online");
            assertThat(a.subject()).isEqualTo("dev-1");
            assertThat(a.message()).contains("back online").contains("offline since " + T0);
        });

        // going stale and online again within the same alerted period is not a second return
        fleet.connectivity("dev-1", "stale", back.plusSeconds(60));
        fleet.connectivity("dev-1", "online", back.plusSeconds(90));
        clock.set(back.plusSeconds(100));
        assertThat(engine.runOnce()).isZero();
    }

    @Test
    void aShortOutageThatWasNeverAlertedDoesNotRaiseBackOnline() {
        alerts.addRule(AlertKind.DEVICE_OFFLINE, null, FIVE_MIN, "admin");
        alerts.addRule(AlertKind.DEVICE_ONLINE, null, null, "admin");
        fleet.device("dev-1", "tokyo", "offline", T0);
        fleet.connectivity("dev-1", "online", T0.plus(Duration.ofMinutes(2)));
        clock.set(T0.plus(Duration.ofMinutes(10)));

        assertThat(engine.runOnce()).isZero();
    }

    @Test
    void failedUploadRaisesOneAlertOnlyForUploadsAfterTheRule() {
        fleet.upload("old.csv", "FAILED", "row 3: title missing", null, T0.minusSeconds(60), T0.minusSeconds(50));
        alerts.addRule(AlertKind.UPLOAD_FAILED, null, null, "admin");
        clock.set(T0.plusSeconds(10));
        UUID failed = fleet.upload("slides.csv", "FAILED", "build failed: package too large", "tokyo",
                T0.plusSeconds(5), T0.plusSeconds(8));
        fleet.upload("fine.csv", "DONE", null, "tokyo", T0.plusSeconds(6), T0.plusSeconds(9));

        assertThat(engine.runOnce()).isEqualTo(1);
        assertThat(alerts.recent(10)).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo("upload_failed");
            assertThat(a.subject()).isEqualTo(failed.toString());
            assertThat(a.message()).contains("slides.csv").contains("package too large").contains("upload-" + failed);
        });

        clock.advance(Duration.ofMinutes(1));
        assertThat(engine.runOnce()).isZero();
    }

    @Test
    void contentOutOfSyncForLongerThanTheThresholdRaisesOneAlert() {
        alerts.addRule(AlertKind.CONTENT_OUT_OF_SYNC, null, Duration.ofMinutes(10), "admin");
        fleet.currentContent("tokyo", "tokyo@2", T0.minus(Duration.ofMinutes(5)));
        fleet.device("behind", "tokyo", "online", T0.minus(Duration.ofHours(1)));
        fleet.content("behind", "tokyo@1", T0);
        fleet.device("current", "tokyo", "online", T0.minus(Duration.ofHours(1)));
        fleet.content("current", "tokyo@2", null);
        fleet.device("away", "tokyo", "offline", T0.minus(Duration.ofHours(1)));
        fleet.content("away", "tokyo@1", T0);

        clock.set(T0.plus(Duration.ofMinutes(9)));
        assertThat(engine.runOnce()).isZero();

        clock.set(T0.plus(Duration.ofMinutes(10)));
        assertThat(engine.runOnce()).as("an offline device is alerted as offline, not as out of sync").isEqualTo(1);
        assertThat(alerts.recent(10)).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo("content_out_of_sync");
            assertThat(a.subject()).isEqualTo("behind");
            assertThat(a.message()).contains("tokyo@1").contains("tokyo@2");
        });

        clock.advance(Duration.ofMinutes(10));
        assertThat(engine.runOnce()).isZero();
    }

    @Test
    void twoEnginesOnOneDatabaseRaiseEachConditionOnce() {
        alerts.addRule(AlertKind.DEVICE_OFFLINE, null, FIVE_MIN, "admin");
        for (int i = 1; i <= 8; i++) {
            fleet.device("dev-" + i, "tokyo", "offline", T0);
        }
        clock.set(T0.plus(FIVE_MIN));
        AlertEngine other = new AlertEngine(db.jdbi(), clock, new Alerts(db.jdbi(), clock), AlertsConfig.DEFAULT_STORM_THRESHOLD);

        List<CompletableFuture<Integer>> rounds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rounds.add(CompletableFuture.supplyAsync(engine::runOnce));
            rounds.add(CompletableFuture.supplyAsync(other::runOnce));
        }
        int raised = rounds.stream().mapToInt(CompletableFuture::join).sum();

        assertThat(raised).isEqualTo(8);
        assertThat(alerts.recent(20)).hasSize(8).extracting(Alert::subject).doesNotHaveDuplicates();
    }
}
