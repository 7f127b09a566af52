package dev.signagefleet.telemetry.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.telemetry.status.DeviceStatus;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Day partitions of the status history: created ahead, early rows moved in, old days dropped. */
class HistoryMaintenanceIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static DeviceStatus status(long seq, Instant sentAt) {
        return new DeviceStatus("clock-skewed", "boot", seq, sentAt, "1.0.0", null, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    private static String partitionOf(long seq) {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT tableoid::regclass::text FROM status_history WHERE device_id = 'clock-skewed' AND seq = :seq")
                .bind("seq", seq).mapTo(String.class).one());
    }

    private static List<String> partitions() {
        return db.jdbi().withHandle(h -> h.createQuery("""
                        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'status_history' ORDER BY 1
                        """).mapTo(String.class).list());
    }

    @Test
    void rowsOfFutureDaysWaitInTheDefaultPartitionAndMoveInWhenTheirDayComesThenExpire() {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
        HistoryMaintenance partitions = new HistoryMaintenance(db.jdbi(), clock, 30);
        partitions.maintain();
        assertThat(partitions()).contains("status_history_20260309", "status_history_20260310", "status_history_20260313")
                .doesNotContain("status_history_20260314");

        StatusHistoryRepository history = new StatusHistoryRepository();
        Instant future = Instant.parse("2026-03-20T08:00:00Z");
        int inserted = db.jdbi().inTransaction(h -> history.append(h, List.of(
                new StatusHistoryRepository.Received(status(1, clock.instant()), clock.instant()),
                new StatusHistoryRepository.Received(status(2, future), clock.instant()),
                new StatusHistoryRepository.Received(status(2, future), clock.instant()))));
        assertThat(inserted).isEqualTo(2);
        assertThat(partitionOf(1)).isEqualTo("status_history_20260310");
        assertThat(partitionOf(2)).isEqualTo("status_history_default");

        clock.set(Instant.parse("2026-03-19T00:30:00Z"));
        partitions.maintain();
        assertThat(partitionOf(2)).isEqualTo("status_history_20260320");

        clock.advance(Duration.ofDays(40));
        int dropped = partitions.maintain();
        assertThat(dropped).isPositive();
        assertThat(partitions()).doesNotContain("status_history_20260310", "status_history_20260320");
        long left = db.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM status_history WHERE device_id = 'clock-skewed'")
                .mapTo(Long.class).one());
        assertThat(left).isZero();
    }
}
