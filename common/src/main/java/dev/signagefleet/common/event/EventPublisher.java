package dev.signagefleet.common.event;

import java.util.List;

/**
 * Sends events to a transport (MQTT topic, SQS queues). Returns only after the transport has
 * acknowledged the event, so the outbox relay may mark it sent.
 */
public interface EventPublisher {

    void publish(Event event) throws Exception;

    /**
     * A publisher that can send several events in fewer round trips (SQS batches). The outbox relay
     * hands it a claimed batch in order.
     */
    interface Batching extends EventPublisher {

        /**
         * Sends the events in order, as far as it can.
         *
         * @return how many of them, from the first, every target accepted; the rest must be sent
         *         again (some may have arrived: consumers deduplicate), and why the next one failed
         */
        Sent publishAll(List<Event> events);
    }

    /** What {@link Batching#publishAll} got through: the first {@code acknowledged} events; {@code failure} when not all. */
    record Sent(int acknowledged, Exception failure) {
    }
}
