package dev.signagefleet.management.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The summary's device counts are read at most once per max age, say when they were read, and a stale reading is answered while a new one is read. */
class FleetSummaryCacheIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private void addDevice(String id, String group, String connectivity) {
        db.jdbi().useHandle(h -> {
            h.execute("INSERT INTO devices (device_id, group_name, registered_at, registered_by) VALUES (?, ?, now(), 'test')", id, group);
            h.execute("INSERT INTO device_state (device_id, connectivity, updated_at) VALUES (?, ?, now())", id, connectivity);
        });
    }

    @Test
    void countsAreSharedForMaxAgeThenReadAgain() {
        MutableClock clock = MutableClock.startingNow();
        FleetRoutes routes = new FleetRoutes(new FleetQueries(db.jdbi()), Map::of, clock, Duration.ofSeconds(1), Duration.ofSeconds(1));
        addDevice("cache-01", "cache-a", "online");
        FleetRoutes.Counts first = routes.counts();
        long before = first.summary().total();
        assertThat(first.asOf()).isEqualTo(clock.instant());

        addDevice("cache-02", "cache-a", "offline");
        clock.advance(Duration.ofMillis(999));
        FleetRoutes.Counts cached = routes.counts();
        assertThat(cached.summary().total()).isEqualTo(before);
        assertThat(cached.asOf()).isEqualTo(first.asOf());

        clock.advance(Duration.ofMillis(1));
        FleetRoutes.Counts again = routes.counts();
        assertThat(again.summary().total()).isEqualTo(before + 1);
        assertThat(again.summary().byGroup().get("cache-a")).containsEntry("total", 2L).containsEntry("offline", 1L).containsEntry("online", 1L);
        assertThat(again.asOf()).isEqualTo(clock.instant());
    }

    @Test
    void zeroMaxAgeReadsEveryTime() {
        FleetRoutes routes = new FleetRoutes(new FleetQueries(db.jdbi()), Map::of, MutableClock.startingNow(), Duration.ZERO, Duration.ZERO);
        long before = routes.counts().summary().total();
        addDevice("cache-03", "cache-b", "never_seen");
        assertThat(routes.counts().summary().total()).isEqualTo(before + 1);
    }

    @Test
    void aStaleReadingIsAnsweredWhileANewOneIsReadInTheBackground() {
        MutableClock clock = MutableClock.startingNow();
        FleetRoutes routes = new FleetRoutes(new FleetQueries(db.jdbi()), Map::of, clock, Duration.ofSeconds(1), Duration.ofSeconds(5));
        addDevice("cache-04", "cache-c", "online");
        FleetRoutes.Counts first = routes.counts();
        assertThat(first.summary().byGroup().get("cache-c")).containsEntry("total", 1L);

        addDevice("cache-05", "cache-c", "online");
        clock.advance(Duration.ofSeconds(3));
        FleetRoutes.Counts stale = routes.counts();
        assertThat(stale).as("answered from the old reading, not after a new one").isSameAs(first);
        // the background reading replaces it: the next requests get the new counts, read at the new time
        await().atMost(Duration.ofSeconds(20)).until(() -> routes.counts() != first);
        FleetRoutes.Counts fresh = routes.counts();
        assertThat(fresh.asOf()).isEqualTo(clock.instant());
        assertThat(fresh.summary().byGroup().get("cache-c")).containsEntry("total", 2L);

        addDevice("cache-06", "cache-c", "online");
        clock.advance(Duration.ofSeconds(6));
        FleetRoutes.Counts tooOld = routes.counts();
        assertThat(tooOld.asOf()).as("older than max stale: read at once").isEqualTo(clock.instant());
        assertThat(tooOld.summary().byGroup().get("cache-c")).containsEntry("total", 3L);
    }
}
