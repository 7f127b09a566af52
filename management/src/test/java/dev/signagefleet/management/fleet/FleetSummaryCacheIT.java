package dev.signagefleet.management.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The summary's device counts are read at most once per max age and say when they were read. */
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
        FleetRoutes routes = new FleetRoutes(new FleetQueries(db.jdbi()), Map::of, clock, Duration.ofSeconds(1));
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
        FleetRoutes routes = new FleetRoutes(new FleetQueries(db.jdbi()), Map::of, MutableClock.startingNow(), Duration.ZERO);
        long before = routes.counts().summary().total();
        addDevice("cache-03", "cache-b", "never_seen");
        assertThat(routes.counts().summary().total()).isEqualTo(before + 1);
    }
}
