package dev.signagefleet.aws.plan;

import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.common.sqs.QueueTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code signage aws setup} makes sure exists, computed offline from the product's own
 * declarations: the pipeline's queues (each with its dead-letter queue), the device policy, the
 * services policy, a thing group per signage group, and optionally the topic rule that forwards
 * status messages to SQS.
 *
 * @param queues       consumer queues; each gets {@code {queue}-dlq}
 * @param account      the AWS account id when known; setup otherwise reads it from the first queue's ARN
 * @param services     what the services that talk MQTT do on the broker: the services policy
 * @param statusRule   the topic rule, when a role for it was given
 */
public record ProvisioningPlan(String region, Names names, Optional<String> account, List<String> queues, int maxReceives,
                               Duration visibility, List<ServiceGrant> services, List<String> groups,
                               Optional<StatusRule> statusRule) {

    /** Shown in a dry run where the account id goes. */
    public static final String ACCOUNT_PLACEHOLDER = "<account-id>";

    /**
     * The rule that forwards every terminal's status and presence to {@link Names#statusQueue()}, read by
     * the telemetry consumer with {@code SIGNAGE_TELEMETRY_SOURCE=sqs}.
     *
     * @param roleArn an IAM role AWS IoT assumes to send to the queue ({@code sqs:SendMessage})
     */
    public record StatusRule(String name, String queue, String roleArn) {

        /**
         * The payload byte for byte (Base64, so a malformed one arrives too and is quarantined) and the
         * topic from the broker ({@code mqttTopic}), never a field of the payload: the consumer checks
         * the payload's device id against the topic as it does for MQTT.
         */
        public String sql() {
            return "SELECT encode(*, 'base64') AS payload, topic() AS mqttTopic, timestamp() AS receivedAtMillis "
                    + "FROM 'dt/signage/+/+'";
        }
    }

    public ProvisioningPlan {
        queues = List.copyOf(queues);
        services = List.copyOf(services);
        if (services.isEmpty()) {
            throw new AwsProvisioningException("the plan names no service that talks MQTT, so the services policy would allow"
                    + " nothing: give the services' broker access (ServiceGrant)");
        }
        groups = List.copyOf(groups);
    }

    /**
     * @param topology the pipeline's subscription map, named with {@link Names#queuePrefix()}
     * @param services the services' broker access, for the services policy
     * @param ruleRole the role for the status topic rule; empty = no rule
     */
    public static ProvisioningPlan of(String region, Names names, Optional<String> account, QueueTopology topology,
                                      int maxReceives, Duration visibility, List<ServiceGrant> services, List<String> groups,
                                      Optional<String> ruleRole) {
        List<String> queues = new ArrayList<>(topology.queues());
        Optional<StatusRule> rule = ruleRole.map(role -> new StatusRule(names.statusRule(), names.statusQueue(), role));
        rule.ifPresent(r -> queues.add(r.queue()));
        return new ProvisioningPlan(region, names, account, queues, maxReceives, visibility, services, groups, rule);
    }

    /** Every queue setup creates, dead-letter queues first (a queue's redrive policy names its dead-letter queue). */
    public List<String> allQueues() {
        List<String> all = new ArrayList<>();
        for (String queue : queues) {
            all.add(QueueTopology.deadLetterQueueOf(queue));
            all.add(queue);
        }
        return all;
    }

    public String policyDocument(String accountId) {
        return DevicePolicy.document(region, accountId);
    }

    public String servicesPolicyDocument(String accountId) {
        return ServicesPolicy.document(region, accountId, services);
    }

    /** The plan as text, one resource a line (the policy document in full), for a dry run. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (String queue : queues) {
            String dlq = QueueTopology.deadLetterQueueOf(queue);
            lines.add("sqs queue     " + dlq + "  (dead-letter queue, keeps messages 14 days)");
            lines.add("sqs queue     " + queue + "  (visibility " + visibility.toSeconds() + " s; to " + dlq + " after "
                    + maxReceives + " receives)");
        }
        String account = this.account.orElse(ACCOUNT_PLACEHOLDER);
        lines.add("iot policy    " + names.policy() + "  (attached to every device certificate):");
        policyDocument(account).lines().forEach(line -> lines.add("                " + line));
        lines.add("iot policy    " + names.servicesPolicy() + "  (attached to the services' certificates: signage aws add-service):");
        servicesPolicyDocument(account).lines().forEach(line -> lines.add("                " + line));
        if (groups.isEmpty()) {
            lines.add("thing groups  none given (--group G); add-device creates its group's thing group");
        }
        for (String group : groups) {
            lines.add("thing group   " + names.thingGroup(group) + "  (signage group " + group + ")");
        }
        statusRule.ifPresentOrElse(
                rule -> lines.add("topic rule    " + rule.name() + "  " + rule.sql() + "  ->  sqs " + rule.queue()
                        + " (role " + rule.roleArn() + ")"),
                () -> lines.add("topic rule    none (--status-rule-role ARN forwards status messages to " + names.statusQueue() + ")"));
        return lines;
    }
}
