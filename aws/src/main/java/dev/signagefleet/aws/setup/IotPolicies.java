package dev.signagefleet.aws.setup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.common.json.Json;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.GetPolicyResponse;
import software.amazon.awssdk.services.iot.model.PolicyVersion;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;

/**
 * An IoT policy (the device policy, the services policy): created, given a new default version when
 * its document changed, or removed with its versions and attachments.
 */
final class IotPolicies {

    /** AWS IoT keeps at most five versions of a policy. */
    private static final int MAX_VERSIONS = 5;

    private final IotClient iot;

    IotPolicies(IotClient iot) {
        this.iot = iot;
    }

    Optional<GetPolicyResponse> find(String name) {
        try {
            return Optional.of(iot.getPolicy(b -> b.policyName(name)));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    Step ensure(String name, String document) {
        Optional<GetPolicyResponse> current = find(name);
        if (current.isEmpty()) {
            iot.createPolicy(b -> b.policyName(name).policyDocument(document));
            return new Step(Step.Outcome.CREATED, "iot policy", name, "");
        }
        if (json(current.get().policyDocument()).equals(json(document))) {
            return new Step(Step.Outcome.EXISTS, "iot policy", name, "version " + current.get().defaultVersionId());
        }
        List<PolicyVersion> versions = iot.listPolicyVersions(b -> b.policyName(name)).policyVersions();
        if (versions.size() >= MAX_VERSIONS) {
            versions.stream().filter(v -> !Boolean.TRUE.equals(v.isDefaultVersion()))
                    .min(Comparator.comparing(PolicyVersion::createDate, Comparator.nullsFirst(Comparator.naturalOrder()))
                            .thenComparing(v -> Long.parseLong(v.versionId())))
                    .ifPresent(oldest -> iot.deletePolicyVersion(b -> b.policyName(name).policyVersionId(oldest.versionId())));
        }
        String version = iot.createPolicyVersion(b -> b.policyName(name).policyDocument(document).setAsDefault(true))
                .policyVersionId();
        return new Step(Step.Outcome.UPDATED, "iot policy", name, "document changed: new default version " + version);
    }

    /** Detaches the policy from whatever still holds it, deletes its other versions, then the policy. */
    void delete(String name, Consumer<Step> out) {
        if (find(name).isEmpty()) {
            out.accept(new Step(Step.Outcome.ABSENT, "iot policy", name, ""));
            return;
        }
        // Each round lists from the start what is still attached; bounded in case AWS lists a detached target again.
        for (int round = 0; round < 100; round++) {
            List<String> targets = iot.listTargetsForPolicy(b -> b.policyName(name)).targets();
            if (targets.isEmpty()) {
                break;
            }
            for (String target : targets) {
                iot.detachPolicy(b -> b.policyName(name).target(target));
                out.accept(new Step(Step.Outcome.CHANGED, "iot policy", name, "detached from " + target));
            }
        }
        for (PolicyVersion version : iot.listPolicyVersions(b -> b.policyName(name)).policyVersions()) {
            if (!Boolean.TRUE.equals(version.isDefaultVersion())) {
                iot.deletePolicyVersion(b -> b.policyName(name).policyVersionId(version.versionId()));
                out.accept(new Step(Step.Outcome.CHANGED, "iot policy", name, "deleted version " + version.versionId()));
            }
        }
        iot.deletePolicy(b -> b.policyName(name));
        out.accept(new Step(Step.Outcome.DELETED, "iot policy", name, ""));
    }

    private static JsonNode json(String document) {
        try {
            return Json.mapper().readTree(document);
        } catch (JsonProcessingException e) {
            throw new AwsProvisioningException("the policy document is not JSON: " + e.getOriginalMessage(), e);
        }
    }
}
