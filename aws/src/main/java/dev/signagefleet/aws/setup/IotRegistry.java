package dev.signagefleet.aws.setup;

import dev.signagefleet.aws.plan.Names;
import dev.signagefleet.aws.plan.ProvisioningPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.Action;
import software.amazon.awssdk.services.iot.model.DeleteConflictException;
import software.amazon.awssdk.services.iot.model.DescribeThingGroupResponse;
import software.amazon.awssdk.services.iot.model.GetTopicRuleResponse;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;
import software.amazon.awssdk.services.iot.model.SqsAction;
import software.amazon.awssdk.services.iot.model.ThingAttribute;
import software.amazon.awssdk.services.iot.model.TopicRulePayload;

/** Thing groups, the status topic rule and the things of one installation in the AWS IoT registry. */
public final class IotRegistry {

    private final IotClient iot;
    private final Names names;

    public IotRegistry(IotClient iot, Names names) {
        this.iot = iot;
        this.names = names;
    }

    public Optional<DescribeThingGroupResponse> thingGroup(String group) {
        try {
            return Optional.of(iot.describeThingGroup(b -> b.thingGroupName(names.thingGroup(group))));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The thing group of a signage group, tagged with the installation's prefix so teardown finds only its own. */
    public Step ensureThingGroup(String group) {
        String name = names.thingGroup(group);
        if (thingGroup(group).isPresent()) {
            return new Step(Step.Outcome.EXISTS, "thing group", name, "");
        }
        iot.createThingGroup(b -> b.thingGroupName(name).thingGroupProperties(p -> p
                .thingGroupDescription("signage group " + group)
                .attributePayload(a -> a.attributes(Map.of(Names.PREFIX_ATTRIBUTE, names.prefix(), Names.GROUP_ATTRIBUTE, group)))));
        return new Step(Step.Outcome.CREATED, "thing group", name, "");
    }

    Step ensureStatusRule(ProvisioningPlan.StatusRule rule, String queueUrl) {
        TopicRulePayload payload = TopicRulePayload.builder()
                .sql(rule.sql())
                .awsIotSqlVersion("2016-03-23")
                .description("signage " + names.prefix() + ": every terminal's status to SQS for the telemetry consumer")
                .ruleDisabled(false)
                .actions(Action.builder().sqs(SqsAction.builder().queueUrl(queueUrl).roleArn(rule.roleArn()).useBase64(false).build())
                        .build())
                .build();
        Optional<GetTopicRuleResponse> current = statusRule();
        if (current.isEmpty()) {
            iot.createTopicRule(b -> b.ruleName(rule.name()).topicRulePayload(payload));
            return new Step(Step.Outcome.CREATED, "topic rule", rule.name(), "");
        }
        var existing = current.get().rule();
        boolean same = rule.sql().equals(existing.sql()) && !Boolean.TRUE.equals(existing.ruleDisabled())
                && existing.actions().size() == 1 && existing.actions().get(0).sqs() != null
                && queueUrl.equals(existing.actions().get(0).sqs().queueUrl())
                && rule.roleArn().equals(existing.actions().get(0).sqs().roleArn());
        if (same) {
            return new Step(Step.Outcome.EXISTS, "topic rule", rule.name(), "");
        }
        iot.replaceTopicRule(b -> b.ruleName(rule.name()).topicRulePayload(payload));
        return new Step(Step.Outcome.UPDATED, "topic rule", rule.name(), "SQL, queue or role changed");
    }

    /**
     * Looked up in the list of rules first: AWS IoT answers GetTopicRule for a rule that does not
     * exist with an authorization error, not with "not found".
     */
    Optional<GetTopicRuleResponse> statusRule() {
        String token = null;
        do {
            String next = token;
            var page = iot.listTopicRules(b -> b.nextToken(next));
            if (page.rules().stream().anyMatch(rule -> names.statusRule().equals(rule.ruleName()))) {
                return Optional.of(iot.getTopicRule(b -> b.ruleName(names.statusRule())));
            }
            token = page.nextToken();
        } while (token != null);
        return Optional.empty();
    }

    Step deleteStatusRule() {
        if (statusRule().isEmpty()) {
            return new Step(Step.Outcome.ABSENT, "topic rule", names.statusRule(), "");
        }
        iot.deleteTopicRule(b -> b.ruleName(names.statusRule()));
        return new Step(Step.Outcome.DELETED, "topic rule", names.statusRule(), "");
    }

    /** The things add-device made for this installation (they carry its prefix as an attribute). */
    List<String> things() {
        List<String> things = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            var page = iot.listThings(b -> b.attributeName(Names.PREFIX_ATTRIBUTE).attributeValue(names.prefix()).nextToken(next));
            page.things().stream().map(ThingAttribute::thingName).forEach(things::add);
            token = page.nextToken();
        } while (token != null);
        return things;
    }

    /** Detaches every certificate from the thing, deactivates and deletes it, then deletes the thing. */
    void deleteThing(String thing, String policy, Consumer<Step> out) {
        List<String> principals = iot.listThingPrincipals(b -> b.thingName(thing)).principals();
        for (String principal : principals) {
            iot.detachThingPrincipal(b -> b.thingName(thing).principal(principal));
            out.accept(new Step(Step.Outcome.CHANGED, "thing", thing, "detached " + principal));
            if (!principal.contains(":cert/")) {
                continue; // not a certificate of ours (e.g. a Cognito identity): detached, left alone
            }
            String certificateId = principal.substring(principal.lastIndexOf('/') + 1);
            try {
                iot.detachPolicy(b -> b.policyName(policy).target(principal));
                out.accept(new Step(Step.Outcome.CHANGED, "certificate", certificateId, "policy " + policy + " detached"));
            } catch (ResourceNotFoundException e) {
                // the policy is gone already: nothing to detach
            }
            iot.updateCertificate(b -> b.certificateId(certificateId).newStatus("INACTIVE"));
            out.accept(new Step(Step.Outcome.CHANGED, "certificate", certificateId, "deactivated"));
            deleteCertificate(certificateId);
            out.accept(new Step(Step.Outcome.DELETED, "certificate", certificateId, ""));
        }
        iot.deleteThing(b -> b.thingName(thing));
        out.accept(new Step(Step.Outcome.DELETED, "thing", thing, ""));
    }

    /** Detaching a principal is eventually consistent in AWS IoT: a delete right after may still see it attached. */
    private void deleteCertificate(String certificateId) {
        for (int attempt = 1; ; attempt++) {
            try {
                iot.deleteCertificate(b -> b.certificateId(certificateId));
                return;
            } catch (DeleteConflictException e) {
                if (attempt == 10) {
                    throw e;
                }
                try {
                    Thread.sleep(500L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Deletes the thing groups of this installation: named with its prefix and carrying it as an attribute. */
    void deleteThingGroups(Consumer<Step> out) {
        String token = null;
        List<String> candidates = new ArrayList<>();
        do {
            String next = token;
            var page = iot.listThingGroups(b -> b.namePrefixFilter(names.queuePrefix()).nextToken(next));
            page.thingGroups().forEach(g -> candidates.add(g.groupName()));
            token = page.nextToken();
        } while (token != null);
        for (String name : candidates) {
            var group = iot.describeThingGroup(b -> b.thingGroupName(name));
            var attributes = group.thingGroupProperties() == null || group.thingGroupProperties().attributePayload() == null
                    ? Map.<String, String>of() : group.thingGroupProperties().attributePayload().attributes();
            if (names.prefix().equals(attributes.get(Names.PREFIX_ATTRIBUTE))) {
                iot.deleteThingGroup(b -> b.thingGroupName(name));
                out.accept(new Step(Step.Outcome.DELETED, "thing group", name, ""));
            }
        }
    }
}
