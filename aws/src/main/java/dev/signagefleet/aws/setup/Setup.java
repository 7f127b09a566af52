package dev.signagefleet.aws.setup;

import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.aws.plan.ProvisioningPlan;
import dev.signagefleet.common.sqs.QueueDirectory;
import dev.signagefleet.common.sqs.QueueTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Makes AWS match a {@link ProvisioningPlan}, idempotently: every resource is looked up first,
 * created when missing, brought in line when it differs, and left alone when it matches. A second
 * run therefore changes nothing and reports every resource as existing.
 */
public final class Setup {

    private final IotClient iot;
    private final SqsClient sqs;

    public Setup(IotClient iot, SqsClient sqs) {
        this.iot = iot;
        this.sqs = sqs;
    }

    /** Applies the plan, reporting each resource to {@code out} as it is done; returns the same steps. */
    public List<Step> apply(ProvisioningPlan plan, Consumer<Step> out) {
        List<Step> steps = new ArrayList<>();
        Consumer<Step> record = step -> {
            steps.add(step);
            out.accept(step);
        };
        SqsQueues queues = new SqsQueues(sqs);
        String account = plan.account().orElse(null);
        String statusQueueUrl = null;
        for (String queue : plan.queues()) {
            String dlq = QueueTopology.deadLetterQueueOf(queue);
            String resource = "sqs queue " + dlq;
            try {
                record.accept(queues.ensure(dlq, QueueDirectory.deadLetterQueueAttributes()));
                String dlqArn = queues.arn(queues.url(dlq).orElseThrow());
                if (account == null) {
                    account = dlqArn.split(":")[4]; // arn:aws:sqs:{region}:{account}:{name}
                }
                resource = "sqs queue " + queue;
                record.accept(queues.ensure(queue, QueueDirectory.queueAttributes(dlqArn, plan.maxReceives(), plan.visibility())));
                if (plan.statusRule().isPresent() && plan.statusRule().get().queue().equals(queue)) {
                    statusQueueUrl = queues.url(queue).orElseThrow();
                }
            } catch (SdkException e) {
                throw failed(resource, e);
            }
        }
        if (account == null) {
            throw new AwsProvisioningException("the AWS account id is unknown (no queue to read it from): give --account-id");
        }
        IotRegistry registry = new IotRegistry(iot, plan.names());
        String policy = plan.names().policy();
        try {
            record.accept(new IotPolicies(iot).ensure(policy, plan.policyDocument(account)));
        } catch (SdkException e) {
            throw failed("iot policy " + policy, e);
        }
        String servicesPolicy = plan.names().servicesPolicy();
        try {
            record.accept(new IotPolicies(iot).ensure(servicesPolicy, plan.servicesPolicyDocument(account)));
        } catch (SdkException e) {
            throw failed("iot policy " + servicesPolicy, e);
        }
        for (String group : plan.groups()) {
            try {
                record.accept(registry.ensureThingGroup(group));
            } catch (SdkException e) {
                throw failed("thing group " + plan.names().thingGroup(group), e);
            }
        }
        if (plan.statusRule().isPresent()) {
            ProvisioningPlan.StatusRule rule = plan.statusRule().get();
            try {
                record.accept(registry.ensureStatusRule(rule, statusQueueUrl));
            } catch (SdkException e) {
                throw failed("topic rule " + rule.name(), e);
            }
        }
        return steps;
    }

    static AwsProvisioningException failed(String resource, SdkException e) {
        return new AwsProvisioningException("AWS refused or could not be reached while working on " + resource + ": " + e.getMessage()
                + ". Check the region, the credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and their"
                + " IAM permissions, then run the command again: what is done stays done", e);
    }
}
