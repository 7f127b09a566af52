package dev.signagefleet.telemetry.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.db.Database;
import dev.signagefleet.common.db.DatabaseConfig;
import dev.signagefleet.telemetry.state.StateRules;
import dev.signagefleet.testing.FreePorts;
import dev.signagefleet.testing.PostgresExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Storing a batch against a real PostgreSQL: what the database refuses is set aside, an outage keeps everything. */
class TelemetryWriterIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static TelemetryWriter.Raw status(String deviceId, long seq, String os) {
        String json = String.format(Locale.ROOT,
                "{\"v\":1,\"deviceId\":\"%s\",\"bootId\":\"b\",\"seq\":%d,\"sentAt\":\"%s\",\"os\":\"%s\"}",
                deviceId, seq, Instant.now().minusSeconds(60 - seq), os);
        return new TelemetryWriter.Raw("dt/signage/" + deviceId + "/status", json.getBytes(StandardCharsets.UTF_8));
    }

    private static long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @Test
    void aMessageTheDatabaseRefusesIsQuarantinedWithItsReasonAndTheRestOfTheBatchIsStored() throws Exception {
        // Stand-in for any value the decoder accepts but PostgreSQL does not: a constraint in this test database only.
        db.jdbi().useHandle(h -> h.execute(
                "ALTER TABLE status_history ADD CONSTRAINT test_no_poison CHECK (os IS DISTINCT FROM 'poison')"));
        try {
            TelemetryWriter writer = new TelemetryWriter(new TelemetryDecoder(16_384, Clock.systemUTC()),
                    new BatchApplier(db.jdbi(), new StateRules(Duration.ofSeconds(30))), Clock.systemUTC(),
                    new SimpleMeterRegistry(), outcome -> { }, () -> true);
            boolean done = writer.store(List.of(status("w-1", 1, "Linux"), status("w-1", 2, "poison"), status("w-1", 3, "Linux")));
            assertThat(done).isTrue();
            assertThat(count("SELECT count(*) FROM status_history WHERE device_id = 'w-1'")).isEqualTo(2);
            String reason = db.jdbi().withHandle(h -> h.createQuery(
                    "SELECT reason FROM quarantined_messages WHERE device_id = 'w-1'").mapTo(String.class).one());
            assertThat(reason).startsWith("refused by the database:").contains("test_no_poison");
            byte[] kept = db.jdbi().withHandle(h -> h.createQuery(
                    "SELECT payload FROM quarantined_messages WHERE device_id = 'w-1'").mapTo(byte[].class).one());
            assertThat(new String(kept, StandardCharsets.UTF_8)).contains("\"seq\":2");
        } finally {
            db.jdbi().useHandle(h -> h.execute("ALTER TABLE status_history DROP CONSTRAINT test_no_poison"));
        }
    }

    @Test
    void whileTheDatabaseIsUnreachableNothingIsConsideredStored() throws Exception {
        DatabaseConfig unreachable = new DatabaseConfig("jdbc:postgresql://127.0.0.1:" + FreePorts.next() + "/signage",
                "postgres", new Secret(""), 2);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger attempts = new AtomicInteger();
        try (Database down = connectLazily(unreachable)) {
            TelemetryWriter writer = new TelemetryWriter(new TelemetryDecoder(16_384, Clock.systemUTC()),
                    new BatchApplier(down.jdbi(), new StateRules(Duration.ofSeconds(30))), Clock.systemUTC(), new SimpleMeterRegistry(), outcome -> { }, () -> {
                        // Let it retry a few times, then stop the consumer, as a shutdown during an outage would.
                        if (attempts.incrementAndGet() > 3) {
                            running.set(false);
                        }
                        return running.get();
                    });
            boolean done = writer.store(List.of(status("w-2", 1, "Linux")));
            assertThat(done).isFalse();
            assertThat(attempts.get()).isGreaterThan(3);
        }
    }

    /** A pool that does not try to connect at construction, so it can point at a database that is down. */
    private static Database connectLazily(DatabaseConfig config) {
        return Database.connectLazily(config, Duration.ofMillis(300));
    }
}
