package dev.signagefleet.telemetry.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.telemetry.state.StateRules;
import dev.signagefleet.testing.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quarantined telemetry put back into the history, against a real PostgreSQL: the messages a broken
 * deployment made the database refuse (a renamed table, as a failed migration leaves it) are
 * quarantined by the real writer, and replayed once the table is back; what is still invalid or was
 * cut short stays; a dry run changes nothing; two replays at once store each message once; an old
 * message does not turn the latest state back.
 */
class QuarantineReplayIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private final AtomicInteger nudges = new AtomicInteger();

    private static TelemetryWriter.Raw status(String deviceId, long seq) {
        String json = String.format(Locale.ROOT,
                "{\"v\":1,\"deviceId\":\"%s\",\"bootId\":\"b\",\"seq\":%d,\"sentAt\":\"%s\",\"os\":\"Linux\"}",
                deviceId, seq, Instant.now().minusSeconds(600 - seq));
        return raw(deviceId, json);
    }

    private static TelemetryWriter.Raw raw(String deviceId, String payload) {
        String kind = payload.contains("\"state\"") ? "presence" : "status";
        return new TelemetryWriter.Raw("dt/signage/" + deviceId + "/" + kind, payload.getBytes(StandardCharsets.UTF_8));
    }

    private static TelemetryWriter writer() {
        return new TelemetryWriter(new TelemetryDecoder(16_384, Clock.systemUTC()), applier(), Clock.systemUTC(),
                new SimpleMeterRegistry(), outcome -> { }, () -> true);
    }

    private static BatchApplier applier() {
        return new BatchApplier(db.jdbi(), new StateRules(Duration.ofSeconds(30)));
    }

    private QuarantineReplay replay() {
        return new QuarantineReplay(db.jdbi(), new TelemetryDecoder(16_384, Clock.systemUTC()), applier(), Clock.systemUTC(),
                nudges::incrementAndGet);
    }

    private static QuarantineReplay.Request forDevice(String deviceId, boolean dryRun) {
        return new QuarantineReplay.Request(List.of(), deviceId, null, null, 100, dryRun);
    }

    private static long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static List<Long> seqs(String deviceId) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT seq FROM status_history WHERE device_id = :id ORDER BY seq")
                .bind("id", deviceId).mapTo(Long.class).list());
    }

    /** Stores the statuses while the history table is missing: the writer quarantines every one with the database's reason. */
    private static void storeWhileTheHistoryIsMissing(List<TelemetryWriter.Raw> batch) throws InterruptedException {
        db.jdbi().useHandle(h -> h.execute("ALTER TABLE status_history RENAME TO status_history_moved_away"));
        try {
            assertThat(writer().store(batch)).isTrue();
        } finally {
            db.jdbi().useHandle(h -> h.execute("ALTER TABLE status_history_moved_away RENAME TO status_history"));
        }
    }

    @Test
    void messagesTheDatabaseRefusedAreStoredOnceTheCauseIsFixedAndTheRestStays() throws Exception {
        storeWhileTheHistoryIsMissing(List.of(status("r-1", 1), status("r-1", 2), status("r-1", 3)));
        assertThat(count("SELECT count(*) FROM quarantined_messages WHERE device_id = 'r-1' AND reason LIKE 'refused by the database:%'"))
                .isEqualTo(3);
        // Two that no fix of the deployment can save: not a status at all, and one cut to the kept 16 KB.
        assertThat(writer().store(List.of(raw("r-1", "{not json"),
                raw("r-1", "{\"v\":1,\"deviceId\":\"r-1\",\"pad\":\"" + "x".repeat(20_000) + "\"}")))).isTrue();
        assertThat(count("SELECT count(*) FROM status_history WHERE device_id = 'r-1'")).isZero();

        QuarantineReplay.Report dry = replay().replay(forDevice("r-1", true));
        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.stored()).isEqualTo(3);
        assertThat(dry.stillRejected()).isEqualTo(1);
        assertThat(dry.truncated()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM status_history WHERE device_id = 'r-1'")).as("a dry run stores nothing").isZero();
        assertThat(count("SELECT count(*) FROM quarantined_messages WHERE device_id = 'r-1' AND replayed_at IS NOT NULL")).isZero();

        QuarantineReplay.Report done = replay().replay(forDevice("r-1", false));
        assertThat(done.stored()).isEqualTo(3);
        assertThat(done.stillRejected()).isEqualTo(1);
        assertThat(done.truncated()).isEqualTo(1);
        assertThat(done.items()).filteredOn(i -> i.result() == QuarantineReplay.Result.STILL_REJECTED)
                .singleElement().satisfies(i -> assertThat(i.detail()).isNotBlank());
        assertThat(done.items()).filteredOn(i -> i.result() == QuarantineReplay.Result.TRUNCATED)
                .singleElement().satisfies(i -> assertThat(i.detail()).contains("16384 of"));
        assertThat(seqs("r-1")).containsExactly(1L, 2L, 3L);
        assertThat(count("SELECT seq FROM device_state WHERE device_id = 'r-1'")).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM quarantined_messages WHERE device_id = 'r-1' AND replay_result = 'stored'")).isEqualTo(3);
        assertThat(nudges.get()).as("the device came online: its event waits in the outbox").isPositive();

        QuarantineReplay.Report again = replay().replay(forDevice("r-1", false));
        assertThat(again.stored()).isZero();
        assertThat(again.examined()).as("only the two that cannot be saved are still waiting").isEqualTo(2);
        assertThat(count("SELECT count(*) FROM status_history WHERE device_id = 'r-1'")).isEqualTo(3);
    }

    @Test
    void aMessageTheDeviceSentAgainMeanwhileIsADuplicateAndAnOldOneDoesNotTurnTheStateBack() throws Exception {
        TelemetryWriter.Raw five = status("r-2", 5);
        storeWhileTheHistoryIsMissing(List.of(five));
        // Meanwhile the device went on, and the broker delivered seq 5 again after the fix.
        assertThat(writer().store(List.of(five, status("r-2", 9)))).isTrue();
        storeWhileTheHistoryIsMissing(List.of(status("r-2", 7)));

        QuarantineReplay.Report done = replay().replay(forDevice("r-2", false));

        assertThat(done.duplicates()).isEqualTo(1);
        assertThat(done.stored()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM quarantined_messages WHERE device_id = 'r-2' AND replay_result = 'duplicate'")).isEqualTo(1);
        assertThat(seqs("r-2")).containsExactly(5L, 7L, 9L);
        assertThat(count("SELECT seq FROM device_state WHERE device_id = 'r-2'")).as("latest stays the newest").isEqualTo(9);
    }

    @Test
    void twoReplaysAtOnceStoreEachMessageOnce() throws Exception {
        List<TelemetryWriter.Raw> batch = new ArrayList<>();
        for (int seq = 1; seq <= 60; seq++) {
            batch.add(status("r-3", seq));
        }
        storeWhileTheHistoryIsMissing(batch);

        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Callable<QuarantineReplay.Report> run = () -> replay().replay(forDevice("r-3", false));
            Future<QuarantineReplay.Report> a = two.submit(run);
            Future<QuarantineReplay.Report> b = two.submit(run);
            QuarantineReplay.Report first = a.get();
            QuarantineReplay.Report second = b.get();
            assertThat(first.stored() + second.stored()).isEqualTo(60);
            // Not stored twice and caught by the history's key: each row was replayed by exactly one of them.
            assertThat(first.duplicates() + second.duplicates()).isZero();
            java.util.Set<Long> storedIds = new java.util.HashSet<>();
            for (QuarantineReplay.Report r : List.of(first, second)) {
                r.items().stream().filter(i -> i.result() == QuarantineReplay.Result.STORED)
                        .forEach(i -> assertThat(storedIds.add(i.id())).as("row %d stored by both", i.id()).isTrue());
            }
            assertThat(storedIds).hasSize(60);
        } finally {
            two.shutdownNow();
        }
        assertThat(count("SELECT count(*) FROM status_history WHERE device_id = 'r-3'")).isEqualTo(60);
        assertThat(count("SELECT count(*) FROM quarantined_messages WHERE device_id = 'r-3' AND replayed_at IS NULL")).isZero();
    }

    @Test
    void aReplayedStatusDoesNotBringBackOnlineADeviceThatWentOfflineAfterIt() throws Exception {
        storeWhileTheHistoryIsMissing(List.of(status("r-5", 1)));
        // Later the terminal's connection ended: its will says offline (another boot, so not "its own presence").
        assertThat(writer().store(List.of(raw("r-5", "{\"v\":1,\"deviceId\":\"r-5\",\"bootId\":\"b2\",\"state\":\"offline\","
                + "\"at\":\"" + Instant.now() + "\",\"conn\":1,\"reason\":\"connection lost\"}")))).isTrue();
        assertThat(connectivity("r-5")).isEqualTo("offline");
        long events = count("SELECT count(*) FROM device_events WHERE device_id = 'r-5'");

        QuarantineReplay.Report done = replay().replay(forDevice("r-5", false));

        assertThat(done.stored()).isEqualTo(1);
        assertThat(seqs("r-5")).containsExactly(1L);
        assertThat(connectivity("r-5")).as("the status is older than the offline decision").isEqualTo("offline");
        assertThat(count("SELECT count(*) FROM device_events WHERE device_id = 'r-5'")).as("no online/offline pair").isEqualTo(events);
    }

    private static String connectivity(String deviceId) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT connectivity FROM device_state WHERE device_id = :id")
                .bind("id", deviceId).mapTo(String.class).one());
    }

    @Test
    void aLargeBacklogIsReplayedInPagesThatSayHowManyWait() throws Exception {
        List<TelemetryWriter.Raw> batch = new ArrayList<>();
        for (int seq = 1; seq <= 25; seq++) {
            batch.add(status("r-4", seq));
        }
        storeWhileTheHistoryIsMissing(batch);

        QuarantineReplay.Report first = replay().replay(new QuarantineReplay.Request(List.of(), "r-4", null, null, 10, false));
        assertThat(first.stored()).isEqualTo(10);
        assertThat(first.moreWaiting()).isEqualTo(15);
        QuarantineReplay.Report second = replay().replay(
                new QuarantineReplay.Request(List.of(), "r-4", null, first.nextAfterId(), 10, false));
        QuarantineReplay.Report third = replay().replay(
                new QuarantineReplay.Request(List.of(), "r-4", null, second.nextAfterId(), 10, false));
        assertThat(second.stored() + third.stored()).isEqualTo(15);
        assertThat(third.moreWaiting()).isZero();
        assertThat(third.nextAfterId()).isNull();
        assertThat(count("SELECT count(*) FROM status_history WHERE device_id = 'r-4'")).isEqualTo(25);
    }
}
