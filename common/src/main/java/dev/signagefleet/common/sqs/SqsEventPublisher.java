package dev.signagefleet.common.sqs;

import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.EventPublisher;
import dev.signagefleet.common.event.StructuredEventJson;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Publishes events to every queue subscribed to their type, in CloudEvents JSON structured mode.
 * Returns only when every queue accepted the message; if one fails, the outbox relay sends the event
 * again to all of them, and consumers deduplicate by event id.
 */
public final class SqsEventPublisher implements EventPublisher {

    private static final Logger log = LoggerFactory.getLogger(SqsEventPublisher.class);

    private final QueueDirectory queues;
    private final QueueTopology topology;

    public SqsEventPublisher(QueueDirectory queues, QueueTopology topology) {
        this.queues = queues;
        this.topology = topology;
    }

    @Override
    public void publish(Event event) {
        List<String> targets = topology.queuesFor(event.type());
        if (targets.isEmpty()) {
            log.debug("No queue subscribes to {}; event {} goes nowhere", event.type(), event.id());
            return;
        }
        String body = StructuredEventJson.write(event);
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        attributes.put("type", string(event.type()));
        if (event.correlationId() != null) {
            attributes.put("correlationid", string(event.correlationId()));
        }
        for (String queue : targets) {
            queues.client().sendMessage(SendMessageRequest.builder()
                    .queueUrl(queues.url(queue))
                    .messageBody(body)
                    .messageAttributes(attributes)
                    .build());
        }
    }

    private static MessageAttributeValue string(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
