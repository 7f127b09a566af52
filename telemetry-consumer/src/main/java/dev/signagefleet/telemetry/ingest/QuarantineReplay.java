package dev.signagefleet.telemetry.ingest;

import dev.signagefleet.common.Causes;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts quarantined messages back into the history once what made them fail is fixed: a deployment
 * error that made the database refuse valid telemetry (a missing table or column), or a limit that
 * was set too low. Each row is decoded again with today's rules and, when it is valid now, applied
 * exactly as the consumer would have applied it (at the time it was first received; the order
 * rules keep an old message from turning the latest state back) and marked replayed in the same
 * transaction, so a replay can be repeated or run twice at once without storing anything twice.
 * A message that is still invalid, or whose payload was cut to {@value Quarantine#KEPT_BYTES}
 * bytes when it was quarantined, stays where it is.
 */
public final class QuarantineReplay {

    private static final Logger log = LoggerFactory.getLogger(QuarantineReplay.class);

    /** Most rows one call looks at; the answer says how many more wait. */
    public static final int MAX_LIMIT = 10_000;

    /**
     * Which rows to replay: all of {@code ids} when given, else the waiting rows of {@code deviceId}
     * (or every device) received from {@code since} on and after the row {@code afterId}, oldest
     * first, at most {@code limit}. A dry run only says what would happen.
     */
    public record Request(List<Long> ids, String deviceId, Instant since, Long afterId, int limit, boolean dryRun) {
        public Request {
            ids = ids == null ? List.of() : List.copyOf(ids);
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
            }
        }
    }

    /** What became of one row. */
    public enum Result {
        /** Valid now, and stored (in a dry run: would be stored). */
        STORED,
        /** Valid now, and the history already had it (the device sent it again meanwhile). */
        DUPLICATE,
        /** Still invalid today; the reason is the decoder's. */
        STILL_REJECTED,
        /** Only the first bytes were kept, so it cannot be decoded. */
        TRUNCATED,
        /** The database refused it again; the reason is the database's. */
        FAILED,
        /** Replayed before (by an earlier or a concurrent replay). */
        ALREADY_REPLAYED
    }

    public record Item(long id, String topic, String deviceId, Instant receivedAt, Result result, String detail) {
    }

    /**
     * The answer: per row what happened, counts, and how many waiting rows after the last one
     * examined the request did not reach ({@code nextAfterId} continues there).
     */
    public record Report(boolean dryRun, int examined, int stored, int duplicates, int stillRejected, int truncated,
                         int failed, long moreWaiting, Long nextAfterId, List<Item> items) {
    }

    private final Jdbi jdbi;
    private final TelemetryDecoder decoder;
    private final BatchApplier applier;
    private final Clock clock;
    private final Runnable afterChanges;

    /**
     * @param afterChanges called when a replay recorded connectivity changes (so the outbox relay can publish them)
     */
    public QuarantineReplay(Jdbi jdbi, TelemetryDecoder decoder, BatchApplier applier, Clock clock, Runnable afterChanges) {
        this.jdbi = jdbi;
        this.decoder = decoder;
        this.applier = applier;
        this.clock = clock;
        this.afterChanges = afterChanges;
    }

    /** A quarantined message as an operator sees it: why, from whom, how big, and whether it was replayed. */
    public record Entry(long id, Instant receivedAt, String topic, String deviceId, String reason, int sizeBytes,
                        boolean complete, String payloadPreview, Instant replayedAt, String replayResult) {
    }

    /** Newest first; only those not replayed unless {@code includeReplayed}. */
    public List<Entry> list(String deviceId, boolean includeReplayed, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, received_at, topic, device_id, reason, payload_size, length(payload) AS kept,
                               substring(payload FROM 1 FOR 300) AS preview, replayed_at, replay_result
                        FROM quarantined_messages
                        WHERE (CAST(:device AS text) IS NULL OR device_id = :device) AND (:all OR replayed_at IS NULL)
                        ORDER BY id DESC LIMIT :limit
                        """)
                .bind("device", deviceId)
                .bind("all", includeReplayed)
                .bind("limit", limit)
                .map((rs, ctx) -> new Entry(rs.getLong("id"), rs.getTimestamp("received_at").toInstant(), rs.getString("topic"),
                        rs.getString("device_id"), rs.getString("reason"), rs.getInt("payload_size"),
                        rs.getInt("kept") >= rs.getInt("payload_size"), preview(rs.getBytes("preview")),
                        rs.getTimestamp("replayed_at") == null ? null : rs.getTimestamp("replayed_at").toInstant(),
                        rs.getString("replay_result")))
                .list());
    }

    /** The first bytes as text for a person: undecodable bytes and control characters shown as U+FFFD. */
    private static String preview(byte[] bytes) {
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? 0xFFFD : c));
        return out.toString();
    }

    private record Row(long id, String topic, String deviceId, byte[] payload, int size, Instant receivedAt,
                       Instant replayedAt) {
    }

    public Report replay(Request request) {
        List<Long> ids = request.ids().isEmpty() ? waitingIds(request) : request.ids();
        List<Item> items = new ArrayList<>();
        int stored = 0;
        int duplicates = 0;
        int stillRejected = 0;
        int truncated = 0;
        int failed = 0;
        boolean changes = false;
        for (long id : ids) {
            Item item;
            try {
                Replayed replayed = jdbi.inTransaction(h -> replayOne(h, id, request.dryRun()));
                if (replayed == null) {
                    continue; // no such row
                }
                item = replayed.item();
                changes |= replayed.changes();
            } catch (RuntimeException e) {
                item = new Item(id, null, null, null, Result.FAILED, "refused by the database: " + Causes.rootMessage(e));
            }
            items.add(item);
            switch (item.result()) {
                case STORED -> stored++;
                case DUPLICATE -> duplicates++;
                case STILL_REJECTED -> stillRejected++;
                case TRUNCATED -> truncated++;
                case FAILED -> failed++;
                case ALREADY_REPLAYED -> { }
            }
            if (!request.dryRun() && item.result() != Result.ALREADY_REPLAYED) {
                log.info("Quarantine replay of message {} ({} from device {}): {}{}", id, item.topic(), item.deviceId(),
                        item.result(), item.detail() == null ? "" : " - " + item.detail());
            }
        }
        if (changes) {
            afterChanges.run();
        }
        boolean paged = request.ids().isEmpty() && ids.size() == request.limit();
        Long next = paged ? ids.get(ids.size() - 1) : null;
        long more = paged ? countWaitingAfter(request, next) : 0;
        Report report = new Report(request.dryRun(), items.size(), stored, duplicates, stillRejected, truncated, failed,
                more, more > 0 ? next : null, items);
        log.info("Quarantine replay{}: {} examined, {} stored, {} already in the history, {} still invalid, {} cut short, "
                        + "{} refused by the database; {} more waiting", request.dryRun() ? " (dry run, nothing changed)" : "",
                report.examined(), stored, duplicates, stillRejected, truncated, failed, report.moreWaiting());
        return report;
    }

    private record Replayed(Item item, boolean changes) {
    }

    private Replayed replayOne(Handle h, long id, boolean dryRun) {
        // A replay waits for a concurrent one holding the row, then sees it marked; a dry run changes nothing and locks nothing.
        Optional<Row> locked = h.createQuery("""
                        SELECT id, topic, device_id, payload, payload_size, received_at, replayed_at
                        FROM quarantined_messages WHERE id = :id""" + (dryRun ? "" : " FOR UPDATE"))
                .bind("id", id)
                .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getString("topic"), rs.getString("device_id"),
                        rs.getBytes("payload"), rs.getInt("payload_size"), rs.getTimestamp("received_at").toInstant(),
                        rs.getTimestamp("replayed_at") == null ? null : rs.getTimestamp("replayed_at").toInstant()))
                .findOne();
        if (locked.isEmpty()) {
            return null; // no such row (or pruned meanwhile)
        }
        Row row = locked.get();
        if (row.replayedAt() != null) {
            return new Replayed(item(row, Result.ALREADY_REPLAYED, "replayed at " + row.replayedAt()), false);
        }
        if (row.payload().length < row.size()) {
            return new Replayed(item(row, Result.TRUNCATED, "only the first " + row.payload().length + " of " + row.size()
                    + " bytes were kept; the device must send it again"), false);
        }
        TelemetryMessage message = decoder.decode(row.topic(), row.payload());
        if (message instanceof TelemetryMessage.Rejected rejected) {
            return new Replayed(item(row, Result.STILL_REJECTED, rejected.reason()), false);
        }
        if (dryRun) {
            return new Replayed(item(row, Result.STORED, "valid today; would be stored unless the history has it already"), false);
        }
        BatchApplier.Outcome outcome = applier.apply(h, List.of(message), row.receivedAt());
        Result result = outcome.statuses() > 0 && outcome.newHistoryRows() == 0 ? Result.DUPLICATE : Result.STORED;
        h.createUpdate("UPDATE quarantined_messages SET replayed_at = :now, replay_result = :result WHERE id = :id")
                .bind("now", Timestamp.from(clock.instant()))
                .bind("result", result == Result.STORED ? "stored" : "duplicate")
                .bind("id", id)
                .execute();
        return new Replayed(item(row, result, null), !outcome.changes().isEmpty());
    }

    private static Item item(Row row, Result result, String detail) {
        return new Item(row.id(), row.topic(), row.deviceId(), row.receivedAt(), result, detail);
    }

    private List<Long> waitingIds(Request request) {
        return jdbi.withHandle(h -> filtered(h, "SELECT id FROM quarantined_messages", request, request.afterId(),
                " ORDER BY id LIMIT " + request.limit()).mapTo(Long.class).list());
    }

    private long countWaitingAfter(Request request, long afterId) {
        return jdbi.withHandle(h -> filtered(h, "SELECT count(*) FROM quarantined_messages", request, afterId, "")
                .mapTo(Long.class).one());
    }

    private static Query filtered(Handle h, String select, Request request, Long afterId, String tail) {
        return h.createQuery(select + " WHERE replayed_at IS NULL"
                        + " AND (CAST(:device AS text) IS NULL OR device_id = :device)"
                        + " AND (CAST(:since AS timestamptz) IS NULL OR received_at >= :since)"
                        + " AND id > :after" + tail)
                .bind("device", request.deviceId())
                .bind("since", request.since() == null ? null : Timestamp.from(request.since()))
                .bind("after", afterId == null ? 0L : afterId);
    }
}
