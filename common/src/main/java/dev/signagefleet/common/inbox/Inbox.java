package dev.signagefleet.common.inbox;

import org.jdbi.v3.core.Handle;

/**
 * Records which events a consumer has handled, in the same transaction as the handler's effect:
 * a redelivered event finds its id already there and is skipped.
 */
public final class Inbox {

    private static final String RECORD = """
            INSERT INTO inbox (consumer, event_id) VALUES (:consumer, :eventId)
            ON CONFLICT DO NOTHING
            """;

    private Inbox() {
    }

    /** Returns true the first time {@code consumer} sees {@code eventId}, false for a duplicate. */
    public static boolean firstDelivery(Handle handle, String consumer, String eventId) {
        return handle.createUpdate(RECORD)
                .bind("consumer", consumer)
                .bind("eventId", eventId)
                .execute() == 1;
    }
}
