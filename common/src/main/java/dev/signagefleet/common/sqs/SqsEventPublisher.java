package dev.signagefleet.common.sqs;

import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.EventPublisher;
import dev.signagefleet.common.event.StructuredEventJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * Publishes events to every queue subscribed to their type, in CloudEvents JSON structured mode.
 * Returns only when every queue accepted the message; if one fails, the outbox relay sends the event
 * again to all of them, and consumers deduplicate by event id.
 */
public final class SqsEventPublisher implements EventPublisher.Batching {

    /** SQS takes at most 10 messages per batch. */
    private static final int BATCH = 10;
    /** A batch's bodies together must stay under SQS's limit (256 KiB); larger ones go one by one. */
    private static final int BATCH_BYTES = 192 * 1024;

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
        Map<String, MessageAttributeValue> attributes = attributes(event);
        for (String queue : targets) {
            queues.client().sendMessage(SendMessageRequest.builder()
                    .queueUrl(queues.url(queue))
                    .messageBody(body)
                    .messageAttributes(attributes)
                    .build());
        }
    }

    /**
     * Sends up to 10 events per request and queue (a 1M-row upload's 100 content.built events went
     * to two queues in 200 requests, one after the other, before the registry could start on them).
     */
    @Override
    public Sent publishAll(List<Event> events) {
        for (int start = 0; start < events.size(); start += BATCH) {
            List<Event> chunk = events.subList(start, Math.min(events.size(), start + BATCH));
            List<String> bodies = chunk.stream().map(StructuredEventJson::write).toList();
            try {
                if (bodies.stream().mapToInt(b -> b.getBytes(StandardCharsets.UTF_8).length).sum() > BATCH_BYTES) {
                    for (int i = 0; i < chunk.size(); i++) {
                        try {
                            publish(chunk.get(i));
                        } catch (RuntimeException e) {
                            return new Sent(start + i, e);
                        }
                    }
                    continue;
                }
                int failedAt = sendChunk(chunk, bodies);
                if (failedAt >= 0) {
                    return new Sent(start + failedAt, new IllegalStateException("SQS did not accept event "
                            + chunk.get(failedAt).type() + " " + chunk.get(failedAt).id() + " of a batch"));
                }
            } catch (RuntimeException e) {
                return new Sent(start, e);
            }
        }
        return new Sent(events.size(), null);
    }

    /** @return the index in the chunk of the first event some queue did not accept, or -1 */
    private int sendChunk(List<Event> chunk, List<String> bodies) {
        Map<String, List<SendMessageBatchRequestEntry>> byQueue = new LinkedHashMap<>();
        for (int i = 0; i < chunk.size(); i++) {
            Event event = chunk.get(i);
            for (String queue : topology.queuesFor(event.type())) {
                byQueue.computeIfAbsent(queue, q -> new ArrayList<>()).add(SendMessageBatchRequestEntry.builder()
                        .id(Integer.toString(i)).messageBody(bodies.get(i)).messageAttributes(attributes(event)).build());
            }
        }
        int firstFailed = -1;
        for (Map.Entry<String, List<SendMessageBatchRequestEntry>> queue : byQueue.entrySet()) {
            SendMessageBatchResponse response = queues.client().sendMessageBatch(SendMessageBatchRequest.builder()
                    .queueUrl(queues.url(queue.getKey())).entries(queue.getValue()).build());
            for (var failed : response.failed()) {
                int index = Integer.parseInt(failed.id());
                log.warn("Queue {} did not accept event {} {}: {} {}", queue.getKey(), chunk.get(index).type(),
                        chunk.get(index).id(), failed.code(), failed.message());
                firstFailed = firstFailed < 0 ? index : Math.min(firstFailed, index);
            }
        }
        return firstFailed;
    }

    private static Map<String, MessageAttributeValue> attributes(Event event) {
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        attributes.put("type", string(event.type()));
        if (event.correlationId() != null) {
            attributes.put("correlationid", string(event.correlationId()));
        }
        return attributes;
    }

    private static MessageAttributeValue string(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
