package dev.signagefleet.aws.setup;

import dev.signagefleet.aws.plan.Names;
import dev.signagefleet.aws.plan.ProvisioningPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.Action;
import software.amazon.awssdk.services.iot.model.CreateKeysAndCertificateResponse;
import software.amazon.awssdk.services.iot.model.DeleteConflictException;
import software.amazon.awssdk.services.iot.model.DescribeThingGroupResponse;
import software.amazon.awssdk.services.iot.model.GetTopicRuleResponse;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;
import software.amazon.awssdk.services.iot.model.SqsAction;
import software.amazon.awssdk.services.iot.model.ThingAttribute;
import software.amazon.awssdk.services.iot.model.TopicRulePayload;

/** Thing groups, the status topic rule, the things and their certificates of one installation in the AWS IoT registry. */
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

    public boolean thingExists(String thing) {
        try {
            iot.describeThing(b -> b.thingName(thing));
            return true;
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }

    /**
     * Has AWS make a key pair and an active certificate (the private key is in the answer only, once),
     * then attaches the policy and the thing to the certificate.
     */
    public CreateKeysAndCertificateResponse issueCertificate(String thing, String policy, Consumer<Step> out) {
        CreateKeysAndCertificateResponse keys = iot.createKeysAndCertificate(b -> b.setAsActive(true));
        out.accept(new Step(Step.Outcome.CREATED, "certificate", keys.certificateId(), "active"));
        iot.attachPolicy(b -> b.policyName(policy).target(keys.certificateArn()));
        out.accept(new Step(Step.Outcome.CHANGED, "certificate", keys.certificateId(), "policy " + policy + " attached"));
        iot.attachThingPrincipal(b -> b.thingName(thing).principal(keys.certificateArn()));
        out.accept(new Step(Step.Outcome.CHANGED, "certificate", keys.certificateId(), "attached to thing " + thing));
        return keys;
    }

    /** The account's MQTT endpoint whose server certificate Amazon Root CA 1 signs ({@code xxxx-ats.iot.{region}.amazonaws.com}). */
    public String dataEndpoint() {
        return iot.describeEndpoint(b -> b.endpointType("iot:Data-ATS")).endpointAddress();
    }

    /** The things add-device and add-service made for this installation (they carry its prefix as an attribute). */
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

    /**
     * Detaches every certificate from the thing, detaches this installation's policies from it (the
     * device policy from a terminal's, the services policy from a services certificate's), deactivates
     * and deletes it, then deletes the thing.
     *
     * @param policies the installation's policies; a policy of another name stays attached, and AWS then
     *                 refuses to delete that certificate
     */
    void deleteThing(String thing, Set<String> policies, Consumer<Step> out) {
        List<String> principals = iot.listThingPrincipals(b -> b.thingName(thing)).principals();
        for (String principal : principals) {
            iot.detachThingPrincipal(b -> b.thingName(thing).principal(principal));
            out.accept(new Step(Step.Outcome.CHANGED, "thing", thing, "detached " + principal));
            if (!principal.contains(":cert/")) {
                continue; // not a certificate of ours (e.g. a Cognito identity): detached, left alone
            }
            String certificateId = principal.substring(principal.lastIndexOf('/') + 1);
            for (String policy : attachedPolicies(principal)) {
                if (!policies.contains(policy)) {
                    continue;
                }
                try {
                    iot.detachPolicy(b -> b.policyName(policy).target(principal));
                    out.accept(new Step(Step.Outcome.CHANGED, "certificate", certificateId, "policy " + policy + " detached"));
                } catch (ResourceNotFoundException e) {
                    // the policy is gone already: nothing to detach
                }
            }
            iot.updateCertificate(b -> b.certificateId(certificateId).newStatus("INACTIVE"));
            out.accept(new Step(Step.Outcome.CHANGED, "certificate", certificateId, "deactivated"));
            deleteCertificate(certificateId);
            out.accept(new Step(Step.Outcome.DELETED, "certificate", certificateId, ""));
        }
        iot.deleteThing(b -> b.thingName(thing));
        out.accept(new Step(Step.Outcome.DELETED, "thing", thing, ""));
    }

    private List<String> attachedPolicies(String certificateArn) {
        List<String> attached = new ArrayList<>();
        String marker = null;
        do {
            String next = marker;
            var page = iot.listAttachedPolicies(b -> b.target(certificateArn).marker(next));
            page.policies().forEach(p -> attached.add(p.policyName()));
            marker = page.nextMarker();
        } while (marker != null);
        return attached;
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
