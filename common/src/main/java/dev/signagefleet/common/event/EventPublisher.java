package dev.signagefleet.common.event;

/**
 * Sends events to a transport (MQTT topic, SQS queues). Returns only after the transport has
 * acknowledged the event, so the outbox relay may mark it sent.
 */
public interface EventPublisher {

    void publish(Event event) throws Exception;
}
