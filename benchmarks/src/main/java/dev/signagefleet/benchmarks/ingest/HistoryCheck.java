package dev.signagefleet.benchmarks.ingest;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.jdbi.v3.core.Jdbi;

/**
 * Reads one run back from {@code status_history}: whether every acknowledged seq of every device is
 * there, and each row's way from the terminal's {@code sentAt} to the commit of the transaction that
 * stored it ({@code pg_xact_commit_timestamp}, which needs {@code track_commit_timestamp = on}).
 */
public final class HistoryCheck {

    private final Jdbi jdbi;

    public HistoryCheck(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    private record DeviceRows(String deviceId, long rows, long distinctSeqs, long minSeq, long maxSeq) {
    }

    /**
     * The acknowledged statuses of the run that are not in the history (0 means none lost). A seq
     * stored twice would show as rows &gt; distinct seqs and is counted as a problem too.
     */
    public List<String> problems(StatusPublishers.Sent sent) {
        return problems(sent.bootId(), sent.deviceIds(), sent.lastSeq());
    }

    public List<String> problems(String bootId, List<String> deviceIds, long[] lastSeq) {
        Map<String, DeviceRows> stored = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT device_id, count(*) AS n, count(DISTINCT seq) AS d, min(seq) AS lo, max(seq) AS hi
                        FROM status_history WHERE boot_id = :boot GROUP BY device_id
                        """).bind("boot", bootId)
                .map((rs, ctx) -> new DeviceRows(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
                .forEach(r -> stored.put(r.deviceId(), r)));
        List<String> problems = new java.util.ArrayList<>();
        for (int i = 0; i < deviceIds.size(); i++) {
            long expected = lastSeq[i];
            if (expected == 0) {
                continue;
            }
            DeviceRows r = stored.get(deviceIds.get(i));
            if (r == null) {
                problems.add(deviceIds.get(i) + ": none of seq 1.." + expected + " stored");
            } else if (r.distinctSeqs() < expected || r.minSeq() != 1 || r.maxSeq() < expected) {
                problems.add(deviceIds.get(i) + ": " + r.distinctSeqs() + " of seq 1.." + expected + " stored (min "
                        + r.minSeq() + ", max " + r.maxSeq() + ")");
            } else if (r.rows() != r.distinctSeqs()) {
                problems.add(deviceIds.get(i) + ": " + (r.rows() - r.distinctSeqs()) + " seqs stored twice");
            }
        }
        return problems;
    }

    /** Rows of the run in the history. */
    public long rows(String bootId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM status_history WHERE boot_id = :boot")
                .bind("boot", bootId).mapTo(Long.class).one());
    }

    /** sentAt → committed of every row of the run, in microseconds. */
    public Histogram sentToCommitted(String bootId) {
        return sentToCommitted(bootId, Instant.parse("9999-12-31T00:00:00Z"));
    }

    /** sentAt → committed of the run's rows sent before {@code sentBefore}, in microseconds. */
    public Histogram sentToCommitted(String bootId, Instant sentBefore) {
        return sentToCommitted(bootId, Instant.EPOCH, sentBefore);
    }

    /** sentAt → committed of the run's rows sent from {@code sentFrom} until before {@code sentBefore}, in microseconds. */
    public Histogram sentToCommitted(String bootId, Instant sentFrom, Instant sentBefore) {
        Histogram h = Readings.micros();
        jdbi.useHandle(handle -> handle.createQuery("""
                        SELECT (extract(epoch FROM pg_xact_commit_timestamp(xmin) - sent_at) * 1000000)::bigint
                        FROM status_history WHERE boot_id = :boot AND sent_at >= :from AND sent_at < :before
                        """).bind("boot", bootId).bind("from", sentFrom).bind("before", sentBefore).mapTo(Long.class)
                .forEach(micros -> h.recordValue(Math.max(0, micros))));
        return h;
    }

    /**
     * sentAt → committed per second of sending: the second (from the run's first send), how many statuses
     * were sent in it, their mean and their slowest, in ms. Shows whether a tail is one stall or spread out.
     */
    public List<Map<String, Object>> timeline(String bootId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        WITH r AS (SELECT sent_at, extract(epoch FROM pg_xact_commit_timestamp(xmin) - sent_at) * 1000 AS ms
                                   FROM status_history WHERE boot_id = :boot)
                        SELECT floor(extract(epoch FROM sent_at - (SELECT min(sent_at) FROM r)))::int AS second,
                               count(*) AS n, round(avg(ms)::numeric, 1) AS mean_ms, round(max(ms)::numeric, 1) AS max_ms
                        FROM r GROUP BY 1 ORDER BY 1
                        """).bind("boot", bootId)
                .map((rs, ctx) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("second", rs.getInt("second"));
                    m.put("sent", rs.getLong("n"));
                    m.put("meanMs", rs.getDouble("mean_ms"));
                    m.put("maxMs", rs.getDouble("max_ms"));
                    return m;
                }).list());
    }

    /** When the last row of the run was committed. */
    public Instant lastCommit(String bootId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT max(pg_xact_commit_timestamp(xmin)) FROM status_history WHERE boot_id = :boot")
                .bind("boot", bootId).mapTo(Instant.class).one());
    }
}
