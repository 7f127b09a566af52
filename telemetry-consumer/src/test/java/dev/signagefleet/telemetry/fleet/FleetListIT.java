package dev.signagefleet.telemetry.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.telemetry.sync.ContentSyncSweeper;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The device list's group filter (answered from device_state's copy of the group, V15) and content
 * sync filter (answered from the sweep's decision), against the questions they must keep answering.
 */
class FleetListIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private final FleetQueries fleet = new FleetQueries(db.jdbi());

    private static void device(String id, String group, Instant lastSeen, String contentVersion) {
        db.jdbi().useHandle(h -> {
            h.execute("INSERT INTO devices (device_id, group_name, credential_hash, registered_by) VALUES (?, ?, 'x', 'test')", id, group);
            h.execute("INSERT INTO device_state (device_id, connectivity, last_seen_at, content_version) VALUES (?, 'online', ?, ?)",
                    id, lastSeen == null ? null : Timestamp.from(lastSeen), contentVersion);
        });
    }

    private static void current(String group, String version, Instant registeredAt) {
        db.jdbi().useHandle(h -> h.execute("""
                INSERT INTO current_content (group_name, version_number, version, registered_at) VALUES (?, 1, ?, ?)
                ON CONFLICT (group_name) DO UPDATE SET version = excluded.version, registered_at = excluded.registered_at
                """, group, version, Timestamp.from(registeredAt)));
    }

    private List<String> ids(String group, String sort) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            DevicePage page = fleet.list(new DeviceQuery(List.of(), List.of(), group, null, null, null,
                    DeviceSort.parseOrNull(sort), cursor, 2));
            page.items().forEach(d -> ids.add(d.deviceId()));
            cursor = page.nextCursor();
        } while (cursor != null);
        return ids;
    }

    private List<String> withSync(String prefix, ContentSync... states) {
        return fleet.list(new DeviceQuery(List.of(), List.of(states), null, null, null, prefix, DeviceSort.DEFAULT, null, 500))
                .items().stream().map(DeviceView::deviceId).toList();
    }

    @Test
    void aGroupSortedByLastSeenFollowsRegistrationsAndMoves() {
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        device("grp-1", "fl-north", t.minusSeconds(30), null);
        device("grp-2", "fl-north", t.minusSeconds(10), null);
        device("grp-3", "fl-north", null, null);
        device("grp-4", "fl-south", t, null);
        // a device first known from its status (no group), then registered into a group
        db.jdbi().useHandle(h -> {
            h.execute("INSERT INTO devices (device_id, registered_by) VALUES ('grp-5', 'first status')");
            h.execute("INSERT INTO device_state (device_id, connectivity, last_seen_at) VALUES ('grp-5', 'online', ?)",
                    Timestamp.from(t.minusSeconds(20)));
            h.execute("UPDATE devices SET group_name = 'fl-north', credential_hash = 'x' WHERE device_id = 'grp-5'");
        });

        assertThat(ids("fl-north", "-lastSeen")).containsExactly("grp-2", "grp-5", "grp-1", "grp-3");
        assertThat(ids("fl-north", "lastSeen")).containsExactly("grp-3", "grp-1", "grp-5", "grp-2");
        assertThat(ids("fl-south", "-lastSeen")).containsExactly("grp-4");

        DeviceRegistry registry = new DeviceRegistry(db.jdbi(), MutableClock.startingNow());
        assertThat(registry.moveToGroup("grp-2", "fl-south", () -> { }).outcome()).isEqualTo(DeviceRegistry.Move.MOVED);

        assertThat(ids("fl-north", "-lastSeen")).containsExactly("grp-5", "grp-1", "grp-3");
        assertThat(ids("fl-south", "-lastSeen")).containsExactly("grp-4", "grp-2");
        // every order agrees with the group the device row has
        for (String sort : List.of("deviceId", "group", "-connectivity", "agentVersion", "-contentVersion")) {
            assertThat(ids("fl-south", sort)).as(sort).containsExactlyInAnyOrder("grp-2", "grp-4");
        }
        String stateGroup = db.jdbi().withHandle(h -> h.createQuery("SELECT group_name FROM device_state WHERE device_id = 'grp-2'")
                .mapTo(String.class).one());
        assertThat(stateGroup).isEqualTo("fl-south");
    }

    @Test
    void outOfSyncIsWhatTheSweepDecidedAndPendingUntilThen() {
        Instant now = Instant.now();
        current("fl-sync", "fl-sync@2", now.minus(Duration.ofHours(1)));
        device("sync-in", "fl-sync", now, "fl-sync@2");
        device("sync-behind", "fl-sync", now, "fl-sync@1");
        device("sync-never", "fl-sync", now, null);
        device("sync-none", "fl-nothing", now, "whatever@1");

        // nothing judged yet: the two devices on another version are pending, none is out of sync
        assertThat(withSync("sync-", ContentSync.OUT_OF_SYNC)).isEmpty();
        assertThat(withSync("sync-", ContentSync.PENDING)).containsExactly("sync-behind", "sync-never");
        assertThat(withSync("sync-", ContentSync.IN_SYNC)).containsExactly("sync-in");
        assertThat(withSync("sync-", ContentSync.NONE)).containsExactly("sync-none");

        ContentSyncSweeper sweeper = new ContentSyncSweeper(db.jdbi(), MutableClock.startingNow(), Duration.ofMinutes(2),
                () -> Optional.of(Instant.EPOCH));
        assertThat(sweeper.sweep()).isGreaterThanOrEqualTo(2);

        assertThat(withSync("sync-", ContentSync.OUT_OF_SYNC)).containsExactly("sync-behind", "sync-never");
        assertThat(withSync("sync-", ContentSync.PENDING)).isEmpty();
        assertThat(withSync("sync-", ContentSync.OUT_OF_SYNC, ContentSync.IN_SYNC)).containsExactly("sync-behind", "sync-in", "sync-never");
        assertThat(fleet.device("sync-behind").orElseThrow().content().sync()).isEqualTo("out_of_sync");

        // the terminal catches up: in sync at once, before the sweep announces it
        db.jdbi().useHandle(h -> h.execute("UPDATE device_state SET content_version = 'fl-sync@2' WHERE device_id = 'sync-behind'"));
        assertThat(withSync("sync-", ContentSync.OUT_OF_SYNC)).containsExactly("sync-never");
        assertThat(withSync("sync-", ContentSync.IN_SYNC)).containsExactly("sync-behind", "sync-in");
        assertThat(sweeper.sweep()).as("the sweep announces the catch-up and clears the judgement").isEqualTo(1);

        FleetQueries.FleetSummary summary = fleet.summary();
        assertThat(summary.byGroupContentSync().get("fl-sync"))
                .containsEntry("in_sync", 2L).containsEntry("out_of_sync", 1L).containsEntry("pending", 0L);

        // a new version: the device judged on the old one gets the grace again (pending), then counts as out of sync
        current("fl-sync", "fl-sync@3", Instant.now());
        assertThat(withSync("sync-", ContentSync.PENDING)).containsExactly("sync-behind", "sync-in", "sync-never");
        assertThat(withSync("sync-", ContentSync.OUT_OF_SYNC)).isEmpty();
        current("fl-sync", "fl-sync@3", Instant.now().minus(Duration.ofMinutes(3)));
        assertThat(withSync("sync-", ContentSync.OUT_OF_SYNC)).containsExactly("sync-never");
        assertThat(withSync("sync-", ContentSync.PENDING)).containsExactly("sync-behind", "sync-in");
    }
}
