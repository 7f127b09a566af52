package dev.signagefleet.common.sqs;

import dev.signagefleet.common.json.Json;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Finds queue URLs, and creates a consumer queue with its dead-letter queue and redrive policy
 * when asked to (locally; in AWS the queues come from infrastructure code and only need to exist).
 */
public final class QueueDirectory {

    private static final Logger log = LoggerFactory.getLogger(QueueDirectory.class);

    private final SqsClient sqs;
    private final int maxReceives;
    private final Duration visibility;
    private final Map<String, String> urls = new ConcurrentHashMap<>();

    /**
     * @param maxReceives after this many failed receives SQS moves a message to the dead-letter queue
     * @param visibility  how long a received message stays hidden while it is handled
     */
    public QueueDirectory(SqsClient sqs, int maxReceives, Duration visibility) {
        this.sqs = sqs;
        this.maxReceives = maxReceives;
        this.visibility = visibility;
    }

    public SqsClient client() {
        return sqs;
    }

    public int maxReceives() {
        return maxReceives;
    }

    public Duration visibility() {
        return visibility;
    }

    /** Creates the queue and its dead-letter queue (idempotent) and wires the redrive policy. */
    public void provision(String queue) {
        String dlq = QueueTopology.deadLetterQueueOf(queue);
        String dlqUrl = sqs.createQueue(CreateQueueRequest.builder().queueName(dlq)
                .attributes(deadLetterQueueAttributes()).build()).queueUrl();
        urls.put(dlq, dlqUrl);
        String dlqArn = sqs.getQueueAttributes(GetQueueAttributesRequest.builder().queueUrl(dlqUrl)
                .attributeNames(QueueAttributeName.QUEUE_ARN).build()).attributes().get(QueueAttributeName.QUEUE_ARN);
        String url = sqs.createQueue(CreateQueueRequest.builder().queueName(queue)
                .attributes(queueAttributes(dlqArn, maxReceives, visibility)).build()).queueUrl();
        urls.put(queue, url);
        log.info("Queue {} ready (dead letters to {} after {} receives)", queue, dlq, maxReceives);
    }

    /** A dead-letter queue keeps its messages 14 days, the SQS maximum: time for a person to look. */
    public static Map<QueueAttributeName, String> deadLetterQueueAttributes() {
        return Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600");
    }

    /** A consumer queue: its visibility timeout, and its redrive policy to {@code deadLetterArn} after {@code maxReceives}. */
    public static Map<QueueAttributeName, String> queueAttributes(String deadLetterArn, int maxReceives, Duration visibility) {
        String redrive = Json.mapper().createObjectNode()
                .put("deadLetterTargetArn", deadLetterArn)
                .put("maxReceiveCount", String.valueOf(maxReceives))
                .toString();
        return Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, String.valueOf(visibility.toSeconds()),
                QueueAttributeName.REDRIVE_POLICY, redrive);
    }

    /** The URL of an existing queue. */
    public String url(String queue) {
        return urls.computeIfAbsent(queue, name -> {
            try {
                return sqs.getQueueUrl(GetQueueUrlRequest.builder().queueName(name).build()).queueUrl();
            } catch (QueueDoesNotExistException e) {
                throw new IllegalStateException("SQS queue " + name + " does not exist: create it (locally the stack provisions it)", e);
            }
        });
    }
}
