package dev.signagefleet.common.outbox;

import dev.signagefleet.common.event.Event;
import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Writes events into the {@code outbox} table inside the caller's transaction, so an event exists
 * if and only if the change it describes was committed. {@link OutboxRelay} publishes them.
 */
public final class Outbox {

    private static final String INSERT = """
            INSERT INTO outbox (event_id, source, type, subject, occurred_at, correlation_id, traceparent, data)
            VALUES (:eventId, :source, :type, :subject, :occurredAt, :correlationId, :traceparent, CAST(:data AS jsonb))
            """;

    private Outbox() {
    }

    public static void append(Handle handle, Event event) {
        appendAll(handle, List.of(event));
    }

    /**
     * Appends the events in this order, in one round trip to the database (a JDBC batch): a
     * thousand terminals coming online at once are a thousand events in one transaction.
     */
    public static void appendAll(Handle handle, List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        PreparedBatch batch = handle.prepareBatch(INSERT);
        for (Event event : events) {
            batch.bind("eventId", UUID.fromString(event.id()))
                    .bind("source", event.source())
                    .bind("type", event.type())
                    .bind("subject", event.subject())
                    .bind("occurredAt", Timestamp.from(event.time()))
                    .bind("correlationId", event.correlationId())
                    .bind("traceparent", event.traceparent())
                    .bind("data", event.data().toString())
                    .add();
        }
        batch.execute();
    }
}
