package dev.signagefleet.aws.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServicesPolicyTest {

    private static final String ARN = "arn:aws:iot:ap-northeast-1:123456789012:";

    private static JsonNode policy(List<ServiceGrant> grants) throws Exception {
        return Json.mapper().readTree(ServicesPolicy.document("ap-northeast-1", "123456789012", grants));
    }

    @Test
    void eachServiceConnectsOnlyWithItsOwnClientIdPrefix() throws Exception {
        assertThat(resources(policy(ExampleServices.GRANTS), "iot:Connect")).containsExactly(
                ARN + "client/telemetry-consumer-*", ARN + "client/content-registry-*", ARN + "client/management-*");
    }

    @Test
    void sharedSubscriptionsAreGrantedAsTheExactFilterTheConsumerSubscribesWith() throws Exception {
        JsonNode policy = policy(ExampleServices.GRANTS);

        // '+' is a plain character in an IoT policy: this allows exactly the shared subscription, nothing wider
        assertThat(resources(policy, "iot:Subscribe")).containsExactly(
                ARN + "topicfilter/$share/telemetry/dt/signage/+/status", ARN + "topicfilter/$share/telemetry/dt/signage/+/presence");
        assertThat(resources(policy, "iot:Receive")).containsExactly(
                ARN + "topic/dt/signage/*/status", ARN + "topic/$share/telemetry/dt/signage/*/status",
                ARN + "topic/dt/signage/*/presence", ARN + "topic/$share/telemetry/dt/signage/*/presence");
    }

    @Test
    void publishingIsGrantedOnceForEveryFilterAndRetainingOnlyToServicesThatRetain() throws Exception {
        JsonNode policy = policy(ExampleServices.GRANTS);

        assertThat(resources(policy, "iot:Publish")).containsExactly(ARN + "topic/evt/*", ARN + "topic/cmd/signage/*");
        assertThat(resources(policy, "iot:RetainPublish")).containsExactly(ARN + "topic/cmd/signage/*", ARN + "topic/evt/*");

        JsonNode telemetryOnly = policy(List.of(ExampleServices.GRANTS.get(0)));
        assertThat(actions(telemetryOnly)).containsExactly("iot:Connect", "iot:Publish", "iot:Subscribe", "iot:Receive");
    }

    @Test
    void theDocumentFitsAwsIotsPolicySizeLimit() {
        // AWS IoT: at most 2048 characters, not counting white space
        String document = ServicesPolicy.document("ap-northeast-1", "123456789012", ExampleServices.GRANTS);
        assertThat(document.replaceAll("\\s", "").length()).isLessThan(2048);
    }

    @Test
    void aPublishFilterWithoutAnExactPolicyFormIsRefusedNotWidened() {
        ServiceGrant wide = new ServiceGrant("x-", new BrokerPrincipal.Service("svc-x", List.of("evt/+/y"), List.of(), List.of(), null),
                false);
        assertThatThrownBy(() -> ServicesPolicy.document("eu-west-1", "1", List.of(wide))).isInstanceOf(AwsProvisioningException.class);
    }

    @Test
    void aClientIdPrefixThatWouldActAsAPolicyWildcardIsRefused() {
        assertThatThrownBy(() -> new ServiceGrant("telemetry-*", ExampleServices.TELEMETRY, false))
                .isInstanceOf(AwsProvisioningException.class).hasMessageContaining("client id prefix");
        assertThatThrownBy(() -> new ServiceGrant("x-", new BrokerPrincipal.Service("svc", List.of(), List.of(), List.of("a/b"), null),
                false)).isInstanceOf(AwsProvisioningException.class).hasMessageContaining("shared subscription group");
    }

    @Test
    void theReceivePatternTurnsEveryWildcardLevelIntoAStar() {
        assertThat(ServicesPolicy.receivePattern("dt/signage/+/status")).isEqualTo("dt/signage/*/status");
        assertThat(ServicesPolicy.receivePattern("+/a/#")).isEqualTo("*/a/*");
        assertThat(ServicesPolicy.receivePattern("a/b")).isEqualTo("a/b");
    }

    private static List<String> actions(JsonNode policy) {
        List<String> actions = new ArrayList<>();
        policy.get("Statement").forEach(s -> actions.add(s.get("Action").asText()));
        return actions;
    }

    private static List<String> resources(JsonNode policy, String action) {
        for (JsonNode statement : policy.get("Statement")) {
            if (statement.get("Action").asText().equals(action)) {
                List<String> resources = new ArrayList<>();
                statement.get("Resource").forEach(r -> resources.add(r.asText()));
                return resources;
            }
        }
        throw new AssertionError("no statement for " + action + " in " + policy.toPrettyString());
    }
}
