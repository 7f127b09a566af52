package dev.signagefleet.common.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.signagefleet.common.Causes;
import dev.signagefleet.common.Correlation;
import dev.signagefleet.common.SignageException;
import dev.signagefleet.common.work.WakeableLoop;
import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.EventPublisher;
import dev.signagefleet.common.event.EventRejectedException;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.common.retry.Backoff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one service's outbox rows in order. Several instances of a service each run a relay;
 * a transaction-scoped advisory lock per source lets one of them publish at a time, so events
 * leave in the order they were written (two relays working on different rows at once could
 * overtake each other). Rows are also claimed with {@code FOR UPDATE SKIP LOCKED}, so no row is
 * published twice in one round. A relay that dies after publishing but before marking leaves the
 * row to be published again (consumers deduplicate). When the transport fails, the relay keeps the
 * rows and retries with backoff.
 */
public final class OutboxRelay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private static final String TURN = """
            SELECT pg_try_advisory_xact_lock(1869966441, hashtext(:source))
            """;
    private static final String CLAIM = """
            SELECT position, event_id, source, type, subject, occurred_at, correlation_id, traceparent, data::text AS data
            FROM outbox
            WHERE source = :source AND published_at IS NULL AND parked_at IS NULL
            ORDER BY position
            LIMIT :limit
            FOR UPDATE SKIP LOCKED
            """;
    private static final String MARK_PUBLISHED = """
            UPDATE outbox SET published_at = now(), attempts = attempts + 1, last_error = NULL
            WHERE position = ANY(:positions)
            """;
    private static final String MARK_FAILED = """
            UPDATE outbox SET attempts = attempts + 1, last_error = :error WHERE position = :position
            """;
    private static final String PENDING = """
            SELECT count(*) FILTER (WHERE parked_at IS NULL), count(*) FILTER (WHERE parked_at IS NOT NULL)
            FROM outbox WHERE source = :source AND published_at IS NULL
            """;
    private static final String PARK = """
            UPDATE outbox SET parked_at = now(), attempts = attempts + 1, last_error = :error WHERE position = :position
            """;
    private static final String PRUNE = """
            DELETE FROM outbox WHERE source = :source AND published_at < :before
            """;

    private final Jdbi jdbi;
    private final String source;
    private final EventPublisher publisher;
    private final Options options;
    private final Backoff backoff;
    private final WakeableLoop worker = new WakeableLoop();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong parked = new AtomicLong();
    private final Counter published;
    private final Counter failures;
    private Instant lastPrune = Instant.EPOCH;

    /**
     * @param pollInterval how often to look for rows written by other processes
     * @param batchSize    rows claimed per round
     * @param keepPublished how long published rows stay for inspection before they are deleted
     */
    public record Options(Duration pollInterval, int batchSize, Duration keepPublished) {
        public static Options defaults() {
            return new Options(Duration.ofMillis(500), 100, Duration.ofDays(7));
        }
    }

    public OutboxRelay(Jdbi jdbi, String source, EventPublisher publisher, Options options, MeterRegistry meters) {
        this.jdbi = jdbi;
        this.source = source;
        this.publisher = publisher;
        this.options = options;
        this.backoff = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30));
        this.published = Counter.builder("signage_outbox_published").tag("source", source)
                .description("Events published from the outbox").register(meters);
        this.failures = Counter.builder("signage_outbox_publish_failures").tag("source", source)
                .description("Failed attempts to publish an outbox event").register(meters);
        Gauge.builder("signage_outbox_pending", pending, AtomicLong::get).tag("source", source)
                .description("Outbox events not yet published").register(meters);
        Gauge.builder("signage_outbox_parked", parked, AtomicLong::get).tag("source", source)
                .description("Outbox events the transport refused for good, waiting for a person").register(meters);
    }

    public void start() {
        worker.start("outbox-relay-" + source.replaceAll("[^A-Za-z0-9-]", ""), this::loop);
    }

    /** Wakes the relay at once, e.g. right after a transaction that appended events committed. */
    public void nudge() {
        worker.nudge();
    }

    /**
     * Publishes pending rows until none are left or the transport fails.
     *
     * @return the number of events published
     */
    public int drain() {
        int total = 0;
        while (true) {
            int n = relayOnce();
            total += n;
            if (n < options.batchSize()) {
                return total;
            }
        }
    }

    /**
     * One round: claim a batch, publish it in order, mark what was published.
     *
     * @throws SignageException when an event could not be published (those before it are marked)
     */
    public int relayOnce() {
        Round round = jdbi.inTransaction(handle -> {
            if (!handle.createQuery(TURN).bind("source", source).mapTo(Boolean.class).one()) {
                return new Round(0, null); // another instance's relay is publishing this source now
            }
            List<Claimed> rows = handle.createQuery(CLAIM)
                    .bind("source", source)
                    .bind("limit", options.batchSize())
                    .map((rs, ctx) -> new Claimed(rs.getLong("position"), toEvent(rs)))
                    .list();
            if (publisher instanceof EventPublisher.Batching batching && rows.size() > 1) {
                return publishBatch(handle, batching, rows);
            }
            List<Long> done = new ArrayList<>(rows.size());
            for (Claimed row : rows) {
                try {
                    publishOne(row.event());
                } catch (EventRejectedException e) {
                    // Sending it again cannot succeed; keep it for a person and let the events behind it go.
                    handle.createUpdate(PARK).bind("error", truncate(e.getMessage())).bind("position", row.position()).execute();
                    log.error("Outbox event {} {} of {} was refused by the transport and is parked (not sent): {}. "
                            + "Fix the cause, then set parked_at to NULL on outbox position {} to send it again.",
                            row.event().type(), row.event().id(), source, e.getMessage(), row.position());
                    continue;
                } catch (PublishFailed e) {
                    // Keep what was published and the reason for the one that was not; commit both.
                    markPublished(handle, done);
                    handle.createUpdate(MARK_FAILED)
                            .bind("error", truncate(e.getMessage()))
                            .bind("position", row.position())
                            .execute();
                    return new Round(done.size(), e);
                }
                done.add(row.position());
            }
            markPublished(handle, done);
            return new Round(done.size(), null);
        });
        if (round.failure() != null) {
            throw round.failure();
        }
        return round.published();
    }

    /** The claimed rows in as few requests as the transport allows; marks what went through, in order. */
    private Round publishBatch(Handle handle, EventPublisher.Batching batching, List<Claimed> rows) {
        EventPublisher.Sent sent = batching.publishAll(rows.stream().map(Claimed::event).toList());
        List<Long> done = rows.subList(0, sent.acknowledged()).stream().map(Claimed::position).toList();
        published.increment(done.size());
        markPublished(handle, done);
        if (sent.failure() == null) {
            return new Round(done.size(), null);
        }
        failures.increment();
        Claimed failed = rows.get(sent.acknowledged());
        PublishFailed e = new PublishFailed("could not publish " + failed.event().type() + " " + failed.event().id() + ": "
                + Causes.rootMessage(sent.failure()), sent.failure());
        handle.createUpdate(MARK_FAILED).bind("error", truncate(e.getMessage())).bind("position", failed.position()).execute();
        return new Round(done.size(), e);
    }

    private void publishOne(Event event) {
        try (Correlation ignored = Correlation.scope(event.correlationId())) {
            publisher.publish(event);
            published.increment();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishFailed("interrupted while publishing " + event.type() + " " + event.id(), e);
        } catch (EventRejectedException e) {
            failures.increment();
            throw e;
        } catch (Exception e) {
            failures.increment();
            throw new PublishFailed("could not publish " + event.type() + " " + event.id() + ": " + e.getMessage(), e);
        }
    }

    private static void markPublished(Handle handle, List<Long> positions) {
        if (!positions.isEmpty()) {
            handle.createUpdate(MARK_PUBLISHED).bindArray("positions", Long.class, positions).execute();
        }
    }

    private void loop() {
        int failuresInARow = 0;
        while (worker.running()) {
            try {
                int n = drain();
                failuresInARow = 0;
                refreshPending();
                pruneIfDue();
                if (n == 0) {
                    worker.awaitWork(options.pollInterval());
                }
            } catch (RuntimeException e) {
                failuresInARow++;
                Duration wait = backoff.delay(failuresInARow);
                log.warn("Outbox relay for {} could not publish (attempt {}), retrying in {} ms: {}",
                        source, failuresInARow, wait.toMillis(), Causes.rootMessage(e));
                refreshPending();
                worker.pause(wait);
            }
        }
    }

    private void refreshPending() {
        try {
            long[] counts = jdbi.withHandle(h -> h.createQuery(PENDING).bind("source", source)
                    .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).one());
            pending.set(counts[0]);
            parked.set(counts[1]);
        } catch (RuntimeException e) {
            log.debug("Could not count pending outbox rows: {}", e.getMessage());
        }
    }

    private void pruneIfDue() {
        Instant now = Instant.now();
        if (Duration.between(lastPrune, now).compareTo(Duration.ofHours(1)) < 0) {
            return;
        }
        lastPrune = now;
        int deleted = jdbi.withHandle(h -> h.createUpdate(PRUNE)
                .bind("source", source)
                .bind("before", java.sql.Timestamp.from(now.minus(options.keepPublished())))
                .execute());
        if (deleted > 0) {
            log.info("Deleted {} published outbox event(s) of {} older than {}", deleted, source, options.keepPublished());
        }
    }

    public long pending() {
        return pending.get();
    }

    /**
     * Marks a source's events published since {@code since} as not yet published, so the relay sends
     * them again. For a transport that may have lost them (a queue server without persistence that
     * restarted); consumers deduplicate by event id, so what was already handled is skipped.
     *
     * @return how many events will be sent again
     */
    public static int republishSince(Jdbi jdbi, String source, Instant since) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE outbox SET published_at = NULL "
                                + "WHERE source = :source AND published_at >= :since AND parked_at IS NULL")
                .bind("source", source).bind("since", java.sql.Timestamp.from(since)).execute());
    }

    /** Events refused for good and kept aside. */
    public long parked() {
        return parked.get();
    }

    /** Stops after the round in progress; rows not yet published stay in the outbox. */
    @Override
    public void close() {
        worker.close();
    }

    private static Event toEvent(java.sql.ResultSet rs) throws java.sql.SQLException {
        try {
            return new Event(
                    rs.getString("event_id"),
                    rs.getString("source"),
                    rs.getString("type"),
                    rs.getString("subject"),
                    rs.getTimestamp("occurred_at").toInstant(),
                    rs.getString("correlation_id"),
                    rs.getString("traceparent"),
                    Json.mapper().readTree(rs.getString("data")));
        } catch (JsonProcessingException e) {
            throw new SignageException("outbox row holds invalid JSON data", e);
        }
    }

    private static String truncate(String message) {
        if (message == null) {
            return "unknown error";
        }
        return message.length() > 1000 ? message.substring(0, 1000) : message;
    }

    private record Claimed(long position, Event event) {
    }

    private record Round(int published, PublishFailed failure) {
    }

    /** Publishing one event failed; the rows before it were marked, it and those after were not. */
    static final class PublishFailed extends SignageException {
        PublishFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
