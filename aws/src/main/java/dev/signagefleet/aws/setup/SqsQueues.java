package dev.signagefleet.aws.setup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueUrlRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SetQueueAttributesRequest;

/** Makes one SQS queue exist with the wanted attributes, or removes it: describe first, change only what differs. */
final class SqsQueues {

    private final SqsClient sqs;

    SqsQueues(SqsClient sqs) {
        this.sqs = sqs;
    }

    Optional<String> url(String queue) {
        try {
            return Optional.of(sqs.getQueueUrl(GetQueueUrlRequest.builder().queueName(queue).build()).queueUrl());
        } catch (QueueDoesNotExistException e) {
            return Optional.empty();
        }
    }

    String arn(String url) {
        return sqs.getQueueAttributes(GetQueueAttributesRequest.builder().queueUrl(url)
                .attributeNames(QueueAttributeName.QUEUE_ARN).build()).attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /** Creates the queue, or sets the attributes that differ from {@code wanted}. */
    Step ensure(String queue, Map<QueueAttributeName, String> wanted) {
        Optional<String> url = url(queue);
        if (url.isEmpty()) {
            sqs.createQueue(CreateQueueRequest.builder().queueName(queue).attributes(wanted).build());
            return new Step(Step.Outcome.CREATED, "sqs queue", queue, "");
        }
        Map<QueueAttributeName, String> current = sqs.getQueueAttributes(GetQueueAttributesRequest.builder().queueUrl(url.get())
                .attributeNames(wanted.keySet()).build()).attributes();
        List<String> differing = new ArrayList<>();
        wanted.forEach((name, value) -> {
            // A server that does not report an attribute cannot be compared on it (ElasticMQ does not report
            // MessageRetentionPeriod); setting it again would only repeat itself on every run.
            if (current.containsKey(name) && !same(name, value, current.get(name))) {
                differing.add(name + " " + current.get(name) + " -> " + value);
            }
        });
        if (differing.isEmpty()) {
            return new Step(Step.Outcome.EXISTS, "sqs queue", queue, "");
        }
        sqs.setQueueAttributes(SetQueueAttributesRequest.builder().queueUrl(url.get()).attributes(wanted).build());
        return new Step(Step.Outcome.UPDATED, "sqs queue", queue, String.join("; ", differing));
    }

    Step delete(String queue) {
        Optional<String> url = url(queue);
        if (url.isEmpty()) {
            return new Step(Step.Outcome.ABSENT, "sqs queue", queue, "");
        }
        sqs.deleteQueue(b -> b.queueUrl(url.get()));
        return new Step(Step.Outcome.DELETED, "sqs queue", queue, "");
    }

    /** The redrive policy is JSON whose count SQS may give back as a number or a string. */
    private static boolean same(QueueAttributeName name, String wanted, String current) {
        if (current == null) {
            return false;
        }
        if (name == QueueAttributeName.REDRIVE_POLICY) {
            JsonNode a = json(wanted);
            JsonNode b = json(current);
            return a.path("deadLetterTargetArn").asText().equals(b.path("deadLetterTargetArn").asText())
                    && a.path("maxReceiveCount").asText().equals(b.path("maxReceiveCount").asText());
        }
        return wanted.equals(current);
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Json.mapper().getNodeFactory().textNode(text); // not JSON: differs from the wanted policy, so it is replaced
        }
    }
}
