package dev.signagefleet.telemetry.history;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the telemetry tables bounded: {@code status_history} partitioned by UTC day (partitions for
 * yesterday to a few days ahead are created, moving any rows that were parked in the default
 * partition for that day; whole days older than the retention are dropped), and device events,
 * quarantined messages and status gaps older than the retention deleted. Serialised with an advisory lock, so
 * several consumer instances may run it.
 */
public final class HistoryMaintenance {

    private static final Logger log = LoggerFactory.getLogger(HistoryMaintenance.class);
    private static final long LOCK_KEY = 0x5167_6e61_6765L;
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final int DAYS_AHEAD = 3;

    private final Jdbi jdbi;
    private final Clock clock;
    private final int retentionDays;

    public HistoryMaintenance(Jdbi jdbi, Clock clock, int retentionDays) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.retentionDays = retentionDays;
    }

    /**
     * Creates missing partitions and drops expired ones; returns the number of partitions dropped.
     * Each step is its own short transaction with a lock timeout, so ingest never waits long behind
     * it; a step that cannot get its locks is skipped and tried again at the next run (rows of a day
     * without a partition wait safely in the default partition).
     */
    public int maintain() {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        for (int d = -1; d <= DAYS_AHEAD; d++) {
            LocalDate day = today.plusDays(d);
            step("create partition for " + day, handle -> ensure(handle, day));
        }
        LocalDate oldestKept = today.minusDays(retentionDays);
        int dropped = 0;
        for (String partition : partitions()) {
            LocalDate day = LocalDate.parse(partition.substring("status_history_".length()), SUFFIX);
            if (day.isBefore(oldestKept) && step("drop partition " + partition, handle -> {
                handle.execute("DROP TABLE " + partition);
                log.info("Dropped history partition {} (older than {} days)", partition, retentionDays);
            })) {
                dropped++;
            }
        }
        java.sql.Timestamp before = java.sql.Timestamp.from(oldestKept.atStartOfDay(ZoneOffset.UTC).toInstant());
        step("prune old device events", handle -> prune(handle, "device_events", "occurred_at", before));
        step("prune old quarantined messages", handle -> prune(handle, "quarantined_messages", "received_at", before));
        step("prune old status gaps", handle -> prune(handle, "status_gaps", "detected_at", before));
        step("prune the default partition", handle -> {
            int deleted = handle.createUpdate("DELETE FROM status_history_default WHERE sent_at < :before")
                    .bind("before", java.sql.Timestamp.from(oldestKept.atStartOfDay(ZoneOffset.UTC).toInstant()))
                    .execute();
            if (deleted > 0) {
                log.info("Deleted {} history rows older than {} days from the default partition", deleted, retentionDays);
            }
        });
        return dropped;
    }

    /** Runs one maintenance step in its own transaction; false when it was skipped or failed. */
    private boolean step(String what, java.util.function.Consumer<Handle> work) {
        try {
            return jdbi.inTransaction(handle -> {
                handle.execute("SET LOCAL lock_timeout = '5s'");
                if (!handle.createQuery("SELECT pg_try_advisory_xact_lock(:key)").bind("key", LOCK_KEY)
                        .mapTo(Boolean.class).one()) {
                    return false; // another instance is maintaining right now
                }
                work.accept(handle);
                return true;
            });
        } catch (RuntimeException e) {
            log.warn("History maintenance could not {} now ({}); it is tried again at the next run", what, e.getMessage());
            return false;
        }
    }

    private void prune(Handle handle, String table, String timeColumn, java.sql.Timestamp before) {
        int deleted = handle.createUpdate("DELETE FROM " + table + " WHERE " + timeColumn + " < :before")
                .bind("before", before).execute();
        if (deleted > 0) {
            log.info("Deleted {} row(s) of {} older than {} days", deleted, table, retentionDays);
        }
    }

    private List<String> partitions() {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT c.relname FROM pg_inherits i
                        JOIN pg_class c ON c.oid = i.inhrelid
                        JOIN pg_class p ON p.oid = i.inhparent
                        WHERE p.relname = 'status_history' AND c.relname ~ '^status_history_[0-9]{8}$'
                        """)
                .mapTo(String.class).list());
    }

    private static void ensure(Handle handle, LocalDate day) {
        String name = "status_history_" + SUFFIX.format(day);
        boolean exists = handle.createQuery("SELECT to_regclass(:name) IS NOT NULL")
                .bind("name", name).mapTo(Boolean.class).one();
        if (exists) {
            return;
        }
        String from = day.atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        String to = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString();
        // Build the table standalone, move rows parked in the default partition, then attach it:
        // attaching fails if the default partition still holds rows of that day, so new inserts into
        // the default partition wait (briefly) until the attach commits.
        handle.execute("LOCK TABLE status_history_default IN EXCLUSIVE MODE");
        handle.execute("CREATE TABLE " + name + " (LIKE status_history INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
        int moved = handle.createUpdate("WITH moved AS (DELETE FROM status_history_default "
                        + "WHERE sent_at >= CAST(:from AS timestamptz) AND sent_at < CAST(:to AS timestamptz) RETURNING *) "
                        + "INSERT INTO " + name + " SELECT * FROM moved")
                .bind("from", from).bind("to", to).execute();
        handle.execute("ALTER TABLE status_history ATTACH PARTITION " + name
                + " FOR VALUES FROM ('" + from + "') TO ('" + to + "')");
        log.info("Created history partition {}{}", name, moved > 0 ? " (moved " + moved + " early rows into it)" : "");
    }
}
