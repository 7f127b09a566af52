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
 * Keeps {@code status_history} partitioned by UTC day: creates the partitions for yesterday to a
 * few days ahead (moving any rows that were parked in the default partition for that day), and
 * drops whole days older than the retention. Serialised with an advisory lock, so several consumer
 * instances may run it.
 */
public final class HistoryPartitions {

    private static final Logger log = LoggerFactory.getLogger(HistoryPartitions.class);
    private static final long LOCK_KEY = 0x5167_6e61_6765L;
    private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final int DAYS_AHEAD = 3;

    private final Jdbi jdbi;
    private final Clock clock;
    private final int retentionDays;

    public HistoryPartitions(Jdbi jdbi, Clock clock, int retentionDays) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.retentionDays = retentionDays;
    }

    /** Creates missing partitions and drops expired ones; returns the number of partitions dropped. */
    public int maintain() {
        return jdbi.inTransaction(handle -> {
            handle.execute("SELECT pg_advisory_xact_lock(?)", LOCK_KEY);
            LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
            for (int d = -1; d <= DAYS_AHEAD; d++) {
                ensure(handle, today.plusDays(d));
            }
            return dropBefore(handle, today.minusDays(retentionDays));
        });
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
        // attaching fails if the default partition still holds rows of that day.
        handle.execute("CREATE TABLE " + name + " (LIKE status_history INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
        int moved = handle.createUpdate("WITH moved AS (DELETE FROM status_history_default "
                        + "WHERE sent_at >= CAST(:from AS timestamptz) AND sent_at < CAST(:to AS timestamptz) RETURNING *) "
                        + "INSERT INTO " + name + " SELECT * FROM moved")
                .bind("from", from).bind("to", to).execute();
        handle.execute("ALTER TABLE status_history ATTACH PARTITION " + name
                + " FOR VALUES FROM ('" + from + "') TO ('" + to + "')");
        log.info("Created history partition {}{}", name, moved > 0 ? " (moved " + moved + " early rows into it)" : "");
    }

    private int dropBefore(Handle handle, LocalDate oldestKept) {
        List<String> partitions = handle.createQuery("""
                        SELECT c.relname FROM pg_inherits i
                        JOIN pg_class c ON c.oid = i.inhrelid
                        JOIN pg_class p ON p.oid = i.inhparent
                        WHERE p.relname = 'status_history' AND c.relname ~ '^status_history_[0-9]{8}$'
                        """)
                .mapTo(String.class).list();
        int dropped = 0;
        for (String partition : partitions) {
            LocalDate day = LocalDate.parse(partition.substring("status_history_".length()), SUFFIX);
            if (day.isBefore(oldestKept)) {
                handle.execute("DROP TABLE " + partition);
                dropped++;
                log.info("Dropped history partition {} (older than {} days)", partition, retentionDays);
            }
        }
        int deleted = handle.createUpdate("DELETE FROM status_history_default WHERE sent_at < :before")
                .bind("before", java.sql.Timestamp.from(oldestKept.atStartOfDay(ZoneOffset.UTC).toInstant()))
                .execute();
        if (deleted > 0) {
            log.info("Deleted {} history rows older than {} days from the default partition", deleted, retentionDays);
        }
        return dropped;
    }
}
