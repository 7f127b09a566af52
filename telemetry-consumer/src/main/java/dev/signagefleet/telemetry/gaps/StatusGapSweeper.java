package dev.signagefleet.telemetry.gaps;

import dev.signagefleet.telemetry.connectivity.DeviceEventLog;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges the suspected gaps once they are older than the grace period: a gap whose statuses all
 * arrived meanwhile (late, or out of order between consumer instances) is forgotten; one that is
 * still missing statuses is announced once as {@value #GAP_TYPE} (device_events + outbox) and kept
 * with the number missing. Rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so several consumer
 * instances never announce a gap twice; like the other sweeps it only judges once the consumer has
 * been listening for the whole grace period.
 */
public final class StatusGapSweeper {

    public static final String GAP_TYPE = "signage.device.status-gap.v1";
    /** How long a gap may still be filled by statuses that arrive late. */
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(2);

    private static final Logger log = LoggerFactory.getLogger(StatusGapSweeper.class);
    private static final int CHUNK = 500;

    private static final String CLAIM = """
            SELECT device_id, boot_id, after_seq, before_seq, dropped_by_terminal, detected_at FROM status_gaps
            WHERE announced_at IS NULL AND detected_at <= :judgedBefore
            ORDER BY detected_at
            LIMIT :limit
            FOR UPDATE SKIP LOCKED
            """;
    private static final String PRESENT = """
            SELECT count(DISTINCT seq) FROM status_history
            WHERE device_id = :deviceId AND boot_id = :bootId AND seq > :after AND seq < :before
            """;

    private final Jdbi jdbi;
    private final Clock clock;
    private final Duration grace;
    private final Supplier<Optional<Instant>> listeningSince;
    private final DeviceEventLog events = new DeviceEventLog();

    /** A gap still missing statuses after the grace period. */
    public record Gap(String deviceId, String bootId, long afterSeq, long beforeSeq, long missing, Long droppedByTerminal) {
    }

    private record Suspect(String deviceId, String bootId, long afterSeq, long beforeSeq, Long droppedByTerminal) {
    }

    public StatusGapSweeper(Jdbi jdbi, Clock clock, Duration grace, Supplier<Optional<Instant>> listeningSince) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.grace = grace;
        this.listeningSince = listeningSince;
    }

    /** One sweep; returns the gaps it announced. */
    public List<Gap> sweep() {
        Instant now = clock.instant();
        Optional<Instant> listening = listeningSince.get();
        if (listening.isEmpty() || listening.get().isAfter(now.minus(grace))) {
            return List.of();
        }
        List<Gap> announced = new ArrayList<>();
        while (true) {
            int claimed = jdbi.inTransaction(handle -> {
                List<Suspect> due = handle.createQuery(CLAIM)
                        .bind("judgedBefore", Timestamp.from(now.minus(grace)))
                        .bind("limit", CHUNK)
                        .map((rs, ctx) -> new Suspect(rs.getString("device_id"), rs.getString("boot_id"),
                                rs.getLong("after_seq"), rs.getLong("before_seq"),
                                (Long) rs.getObject("dropped_by_terminal")))
                        .list();
                for (Suspect s : due) {
                    judge(handle, s, now).ifPresent(announced::add);
                }
                return due.size();
            });
            if (claimed < CHUNK) {
                return announced;
            }
        }
    }

    private Optional<Gap> judge(Handle handle, Suspect s, Instant now) {
        long present = handle.createQuery(PRESENT).bind("deviceId", s.deviceId()).bind("bootId", s.bootId())
                .bind("after", s.afterSeq()).bind("before", s.beforeSeq()).mapTo(Long.class).one();
        long missing = s.beforeSeq() - s.afterSeq() - 1 - present;
        if (missing <= 0) {
            handle.createUpdate("DELETE FROM status_gaps WHERE device_id = :d AND boot_id = :b AND after_seq = :a")
                    .bind("d", s.deviceId()).bind("b", s.bootId()).bind("a", s.afterSeq()).execute();
            return Optional.empty();
        }
        handle.createUpdate("""
                        UPDATE status_gaps SET missing = :missing, announced_at = :now
                        WHERE device_id = :d AND boot_id = :b AND after_seq = :a
                        """)
                .bind("missing", missing).bind("now", Timestamp.from(now))
                .bind("d", s.deviceId()).bind("b", s.bootId()).bind("a", s.afterSeq()).execute();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("deviceId", s.deviceId());
        data.put("bootId", s.bootId());
        data.put("afterSeq", s.afterSeq());
        data.put("beforeSeq", s.beforeSeq());
        data.put("missing", missing);
        data.put("droppedByTerminal", s.droppedByTerminal());
        events.record(handle, GAP_TYPE, s.deviceId(), now, data);
        log.warn("Device {}: {} status(es) of boot {} between seq {} and {} never arrived{}; check the broker's dropped-message "
                        + "count (a full queue) and the terminal's buffer size",
                s.deviceId(), missing, s.bootId(), s.afterSeq(), s.beforeSeq(),
                s.droppedByTerminal() == null || s.droppedByTerminal() == 0 ? ""
                        : " (the terminal reports " + s.droppedByTerminal() + " dropped from its full buffer in this boot)");
        return Optional.of(new Gap(s.deviceId(), s.bootId(), s.afterSeq(), s.beforeSeq(), missing, s.droppedByTerminal()));
    }
}
