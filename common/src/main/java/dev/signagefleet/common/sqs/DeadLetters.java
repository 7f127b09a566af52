package dev.signagefleet.common.sqs;

import dev.signagefleet.common.db.Columns;
import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.StructuredEventJson;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.DeleteMessageRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Dead letters: messages a queue gave up on. They are moved out of the dead-letter queue into
 * {@code dead_letters} together with the last failure reason, listed, and redriven (sent back to
 * their queue) or discarded by a person.
 */
public final class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final QueueDirectory queues;
    private final Jdbi jdbi;
    private final Clock clock;

    /** One dead letter as a person sees it. */
    public record DeadLetter(long id, String queue, String messageId, String eventId, String eventType,
                             String correlationId, String payload, String reason, Integer receiveCount, Instant deadAt,
                             String state, Instant resolvedAt, String resolvedBy) {
    }

    public DeadLetters(QueueDirectory queues, Jdbi jdbi, Clock clock) {
        this.queues = queues;
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** Moves what waits in the queue's dead-letter queue into the table (idempotent). */
    public int collect(String queue) {
        String dlqUrl = queues.url(QueueTopology.deadLetterQueueOf(queue));
        int moved = 0;
        while (true) {
            List<Message> messages = queues.client().receiveMessage(ReceiveMessageRequest.builder()
                    .queueUrl(dlqUrl).maxNumberOfMessages(10).waitTimeSeconds(0)
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT).build()).messages();
            if (messages.isEmpty()) {
                return moved;
            }
            for (Message message : messages) {
                record(queue, message);
                queues.client().deleteMessage(DeleteMessageRequest.builder().queueUrl(dlqUrl)
                        .receiptHandle(message.receiptHandle()).build());
                moved++;
            }
        }
    }

    private void record(String queue, Message message) {
        Event event = null;
        try {
            event = StructuredEventJson.read(message.body());
        } catch (RuntimeException e) {
            // kept as raw text with the reason recorded for it
        }
        Event parsed = event;
        jdbi.useTransaction(h -> {
            String reason = h.createQuery("""
                            SELECT reason FROM delivery_failures
                            WHERE queue = :q AND (message_id = :m OR (event_id IS NOT NULL AND event_id = :e))
                            ORDER BY failed_at DESC LIMIT 1
                            """)
                    .bind("q", queue).bind("m", message.messageId()).bind("e", parsed == null ? null : parsed.id())
                    .mapTo(String.class).findOne()
                    .orElse("no failure was recorded: the consumer stopped or crashed while handling it");
            int inserted = h.createUpdate("""
                            INSERT INTO dead_letters (queue, message_id, event_id, event_type, correlation_id, payload, reason,
                                receive_count, dead_at)
                            VALUES (:q, :m, :e, :t, :c, :p, :r, :n, :at)
                            ON CONFLICT (queue, message_id) DO NOTHING
                            """)
                    .bind("q", queue).bind("m", message.messageId())
                    .bind("e", parsed == null ? null : parsed.id())
                    .bind("t", parsed == null ? null : parsed.type())
                    .bind("c", parsed == null ? null : parsed.correlationId())
                    .bind("p", message.body()).bind("r", reason)
                    .bind("n", receiveCount(message))
                    .bind("at", Timestamp.from(clock.instant()))
                    .execute();
            clearFailure(h, queue, message.messageId());
            if (inserted == 1) {
                log.error("Dead letter on {}: {} {} (correlation {}) - {}. Inspect it with GET /api/dead-letters and redrive it after a fix.",
                        queue, parsed == null ? "unreadable message" : parsed.type(), message.messageId(),
                        parsed == null ? "-" : parsed.correlationId(), reason);
            }
        });
    }

    /** Keeps why a message failed (its latest failure), for its dead letter should it end there. */
    void recordFailure(String queue, String messageId, String eventId, int receiveCount, String reason) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO delivery_failures (queue, message_id, event_id, receive_count, reason, failed_at)
                        VALUES (:q, :m, :e, :n, :r, :t)
                        ON CONFLICT (queue, message_id) DO UPDATE
                        SET receive_count = EXCLUDED.receive_count, reason = EXCLUDED.reason, failed_at = EXCLUDED.failed_at
                        """)
                .bind("q", queue).bind("m", messageId).bind("e", eventId).bind("n", receiveCount).bind("r", reason)
                .bind("t", Timestamp.from(clock.instant()))
                .execute());
    }

    /** Forgets a message's failures: it was handled after all. */
    void clearFailure(String queue, String messageId) {
        jdbi.useHandle(h -> clearFailure(h, queue, messageId));
    }

    private static void clearFailure(Handle h, String queue, String messageId) {
        h.createUpdate("DELETE FROM delivery_failures WHERE queue = :q AND message_id = :m")
                .bind("q", queue).bind("m", messageId).execute();
    }

    /** How many times SQS delivered the message; null when it did not say. */
    static Integer receiveCount(Message message) {
        String value = message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        try {
            return value == null ? null : Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public List<DeadLetter> list(String state, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM dead_letters WHERE (CAST(:state AS text) IS NULL OR state = :state)
                        ORDER BY dead_at DESC, id DESC LIMIT :limit
                        """)
                .bind("state", state).bind("limit", limit)
                .map((rs, ctx) -> map(rs)).list());
    }

    public Optional<DeadLetter> find(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM dead_letters WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> map(rs)).findOne());
    }

    /** Sends a dead letter back to its queue; the consumer handles it again (once, thanks to its inbox). */
    public Optional<DeadLetter> redrive(long id, String by) {
        return resolve(id, by, "redriven", letter -> queues.client().sendMessage(SendMessageRequest.builder()
                .queueUrl(queues.url(letter.queue())).messageBody(letter.payload()).build()));
    }

    /** Marks a dead letter as dealt with, without sending it anywhere. */
    public Optional<DeadLetter> discard(long id, String by) {
        return resolve(id, by, "discarded", letter -> { });
    }

    private Optional<DeadLetter> resolve(long id, String by, String state, java.util.function.Consumer<DeadLetter> action) {
        return jdbi.inTransaction(h -> {
            Optional<DeadLetter> letter = h.createQuery("SELECT * FROM dead_letters WHERE id = :id AND state = 'dead' FOR UPDATE")
                    .bind("id", id).map((rs, ctx) -> map(rs)).findOne();
            if (letter.isEmpty()) {
                return Optional.empty();
            }
            action.accept(letter.get());
            log.info("Dead letter {} ({} on {}) {} by {}", id, letter.get().eventType(), letter.get().queue(), state, by);
            return h.createQuery("""
                            UPDATE dead_letters SET state = :s, resolved_at = :t, resolved_by = :by WHERE id = :id RETURNING *
                            """)
                    .bind("s", state).bind("t", Timestamp.from(clock.instant())).bind("by", by).bind("id", id)
                    .map((rs, ctx) -> map(rs)).findOne();
        });
    }

    private static DeadLetter map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new DeadLetter(rs.getLong("id"), rs.getString("queue"), rs.getString("message_id"), rs.getString("event_id"),
                rs.getString("event_type"), rs.getString("correlation_id"), rs.getString("payload"), rs.getString("reason"),
                Columns.intOrNull(rs, "receive_count"), Columns.instant(rs, "dead_at"), rs.getString("state"),
                Columns.instant(rs, "resolved_at"), rs.getString("resolved_by"));
    }
}
