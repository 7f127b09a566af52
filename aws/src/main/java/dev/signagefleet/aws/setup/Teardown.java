package dev.signagefleet.aws.setup;

import dev.signagefleet.aws.plan.Names;
import dev.signagefleet.common.sqs.QueueTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Removes what setup, add-device and add-service made for one prefix: the things with their
 * certificates (detached, deactivated, deleted), the topic rule, the device and services policies
 * (detached, their old versions deleted), the thing groups and the queues. Safe to repeat: what is
 * gone is reported as absent.
 */
public final class Teardown {

    private final IotClient iot;
    private final SqsClient sqs;

    public Teardown(IotClient iot, SqsClient sqs) {
        this.iot = iot;
        this.sqs = sqs;
    }

    /**
     * @param queues the consumer queues (their dead-letter queues and the status queue go too)
     */
    public List<Step> apply(Names names, List<String> queues, Consumer<Step> out) {
        List<Step> steps = new ArrayList<>();
        Consumer<Step> record = step -> {
            steps.add(step);
            out.accept(step);
        };
        IotRegistry registry = new IotRegistry(iot, names);
        String doing = "things of prefix " + names.prefix();
        try {
            for (String thing : registry.things()) {
                doing = "thing " + thing;
                registry.deleteThing(thing, Set.of(names.policy(), names.servicesPolicy()), record);
            }
            doing = "topic rule " + names.statusRule();
            record.accept(registry.deleteStatusRule());
            for (String policy : List.of(names.policy(), names.servicesPolicy())) {
                doing = "iot policy " + policy;
                new IotPolicies(iot).delete(policy, record);
            }
            doing = "thing groups " + names.queuePrefix() + "*";
            registry.deleteThingGroups(record);
            SqsQueues sqsQueues = new SqsQueues(sqs);
            List<String> all = new ArrayList<>(queues);
            if (!all.contains(names.statusQueue())) {
                all.add(names.statusQueue());
            }
            for (String queue : all) {
                doing = "sqs queue " + queue;
                record.accept(sqsQueues.delete(queue));
                doing = "sqs queue " + QueueTopology.deadLetterQueueOf(queue);
                record.accept(sqsQueues.delete(QueueTopology.deadLetterQueueOf(queue)));
            }
        } catch (SdkException e) {
            throw Setup.failed(doing, e);
        }
        return steps;
    }
}
