package dev.signagefleet.telemetry.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Content out of sync / back in sync events against a real PostgreSQL with the project's migrations. */
class ContentSyncSweeperIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static final Duration GRACE = Duration.ofMinutes(2);
    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final AtomicReference<Optional<Instant>> listening = new AtomicReference<>(Optional.of(T0.minus(Duration.ofHours(1))));
    private final ContentSyncSweeper sweeper = new ContentSyncSweeper(db.jdbi(), clock, GRACE, listening::get);

    private static void device(String id, String group, String connectivity, String contentVersion, String error) {
        db.jdbi().useHandle(h -> {
            h.execute("INSERT INTO devices (device_id, group_name, registered_by) VALUES (?, ?, 'test')", id, group);
            h.execute("INSERT INTO device_state (device_id, connectivity, content_version, content_error) VALUES (?, ?, ?, ?)",
                    id, connectivity, contentVersion, error);
        });
    }

    private static void current(String group, String version, Instant registeredAt) {
        db.jdbi().useHandle(h -> h.execute("""
                INSERT INTO current_content (group_name, version_number, version, registered_at) VALUES (?, 1, ?, ?)
                ON CONFLICT (group_name) DO UPDATE SET version = excluded.version, registered_at = excluded.registered_at
                """, group, version, Timestamp.from(registeredAt)));
    }

    private static void reports(String id, String contentVersion) {
        db.jdbi().useHandle(h -> h.execute("UPDATE device_state SET content_version = ?, content_error = NULL WHERE device_id = ?",
                contentVersion, id));
    }

    private static List<JsonNode> events(String prefix) {
        return db.jdbi().withHandle(h -> h.createQuery("""
                        SELECT data::text FROM device_events WHERE device_id LIKE :p AND type LIKE 'signage.device.content-%'
                        ORDER BY occurred_at, device_id
                        """)
                .bind("p", prefix + "%").mapTo(String.class).list()).stream().map(ContentSyncSweeperIT::parse).toList();
    }

    private static List<String> published(String prefix) {
        return db.jdbi().withHandle(h -> h.createQuery("""
                        SELECT type || ' ' || subject FROM outbox WHERE subject LIKE :p AND type LIKE 'signage.device.content-%'
                        ORDER BY position
                        """)
                .bind("p", prefix + "%").mapTo(String.class).list());
    }

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aDeviceLeftBehindIsAnnouncedOnceAfterTheGraceAndAgainWhenItCatchesUp() {
        current("a-lobby", "a-lobby-v2", T0);
        device("a-1", "a-lobby", "online", "a-lobby-v2", null);
        device("a-2", "a-lobby", "online", "a-lobby-v1", "sha256 mismatch (expected 12ab, got 99ff)");
        device("a-3", "a-lobby", "offline", "a-lobby-v1", null);
        device("a-4", "a-nocontent", "online", null, null);

        clock.set(T0.plus(Duration.ofMinutes(1)));
        assertThat(sweeper.sweep()).as("pending: still within the grace").isZero();

        clock.set(T0.plus(Duration.ofMinutes(3)));
        assertThat(sweeper.sweep()).isEqualTo(2);
        List<JsonNode> out = events("a-");
        assertThat(out).extracting(e -> e.get("deviceId").asText()).containsExactly("a-2", "a-3");
        JsonNode a2 = out.get(0);
        assertThat(a2.get("sync").asText()).isEqualTo("out_of_sync");
        assertThat(a2.get("reportedVersion").asText()).isEqualTo("a-lobby-v1");
        assertThat(a2.get("expectedVersion").asText()).isEqualTo("a-lobby-v2");
        assertThat(a2.get("contentError").asText()).contains("sha256 mismatch");
        assertThat(out.get(1).get("connectivity").asText()).isEqualTo("offline");
        assertThat(published("a-")).containsExactly(
                ContentSyncSweeper.OUT_OF_SYNC_TYPE + " a-2", ContentSyncSweeper.OUT_OF_SYNC_TYPE + " a-3");

        clock.advance(Duration.ofMinutes(1));
        assertThat(sweeper.sweep()).as("announced once, not on every sweep").isZero();

        reports("a-2", "a-lobby-v2");
        clock.advance(Duration.ofMinutes(1));
        assertThat(sweeper.sweep()).isEqualTo(1);
        JsonNode back = events("a-").get(2);
        assertThat(back.get("deviceId").asText()).isEqualTo("a-2");
        assertThat(back.get("sync").asText()).isEqualTo("in_sync");
        assertThat(back.get("outOfSyncSince").asText()).isEqualTo(T0.plus(Duration.ofMinutes(3)).toString());
        assertThat(published("a-")).last().isEqualTo(ContentSyncSweeper.IN_SYNC_TYPE + " a-2");
        assertThat(sweeper.sweep()).isZero();
    }

    @Test
    void aNewVersionWhileOutOfSyncKeepsTheAnnouncementUntilTheDeviceShowsTheNewest() {
        current("b-lobby", "b-lobby-v2", T0);
        device("b-1", "b-lobby", "online", "b-lobby-v1", null);
        clock.set(T0.plus(Duration.ofMinutes(3)));
        assertThat(sweeper.sweep()).isEqualTo(1);

        // v3 arrives; the device catches up to v2 only: still out of sync, and no second announcement.
        current("b-lobby", "b-lobby-v3", clock.instant());
        reports("b-1", "b-lobby-v2");
        clock.advance(Duration.ofMinutes(3));
        assertThat(sweeper.sweep()).isZero();
        reports("b-1", "b-lobby-v3");
        assertThat(sweeper.sweep()).isEqualTo(1);
        assertThat(published("b-")).containsExactly(
                ContentSyncSweeper.OUT_OF_SYNC_TYPE + " b-1", ContentSyncSweeper.IN_SYNC_TYPE + " b-1");
    }

    @Test
    void nothingIsJudgedUntilTheConsumerHasListenedForTheWholeGrace() {
        current("c-lobby", "c-lobby-v2", T0);
        device("c-1", "c-lobby", "online", "c-lobby-v1", null);
        clock.set(T0.plus(Duration.ofMinutes(10)));
        // Just reconnected: the reports of terminals that switched may still be queued in the broker.
        listening.set(Optional.of(clock.instant().minusSeconds(30)));
        assertThat(sweeper.sweep()).isZero();
        listening.set(Optional.empty());
        assertThat(sweeper.sweep()).isZero();
        listening.set(Optional.of(clock.instant().minus(GRACE)));
        assertThat(sweeper.sweep()).isEqualTo(1);
    }
}
