package dev.signagefleet.aws.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.embedded.broker.TopicPolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevicePolicyTest {

    private static final String ARN = "arn:aws:iot:ap-northeast-1:123456789012:";

    /** With the policy variables resolved for one terminal, the policy allows exactly what the local broker allows it. */
    @Test
    void resolvedForATerminalThePolicyMatchesTheLocalBrokersRules() throws Exception {
        JsonNode policy = Json.mapper().readTree(DevicePolicy.document("ap-northeast-1", "123456789012")
                .replace(DevicePolicy.THING_NAME, "kiosk-9").replace(DevicePolicy.THING_GROUP, "osaka"));
        BrokerPrincipal.Device device = new BrokerPrincipal.Device("kiosk-9", "osaka");

        assertThat(resources(policy, "iot:Connect")).containsExactly(ARN + "client/kiosk-9");
        assertThat(resources(policy, "iot:Publish")).containsExactlyElementsOf(
                TopicPolicy.publishFilters(device).stream().map(f -> ARN + "topic/" + f.replace("#", "*")).toList());
        assertThat(resources(policy, "iot:Subscribe")).containsExactlyElementsOf(
                TopicPolicy.subscribeFilters(device).stream().map(f -> ARN + "topicfilter/" + f.replace("#", "*")).toList());
        assertThat(resources(policy, "iot:Receive")).containsExactly(
                ARN + "topic/cmd/signage/kiosk-9/*", ARN + "topic/cmd/signage/group/osaka/*");
        assertThat(resources(policy, "iot:Publish")).containsExactly(ARN + "topic/dt/signage/kiosk-9/*");
    }

    @Test
    void onlyACertificateAttachedToTheThingMayConnect() throws Exception {
        JsonNode policy = Json.mapper().readTree(DevicePolicy.document("eu-west-1", "1"));
        JsonNode connect = statement(policy, "iot:Connect");
        assertThat(connect.at("/Condition/Bool").get("iot:Connection.Thing.IsAttached").asText()).isEqualTo("true");
        for (JsonNode statement : policy.get("Statement")) {
            assertThat(statement.get("Effect").asText()).isEqualTo("Allow");
            statement.get("Resource").forEach(r -> assertThat(r.asText()).startsWith("arn:aws:iot:eu-west-1:1:").doesNotContain("+", "#"));
        }
    }

    @Test
    void aFilterWithoutAnExactPolicyFormIsRefusedNotWidened() {
        assertThat(DevicePolicy.resourcePattern("dt/signage/x/#")).isEqualTo("dt/signage/x/*");
        assertThat(DevicePolicy.resourcePattern("cmd/signage/x/content")).isEqualTo("cmd/signage/x/content");
        assertThatThrownBy(() -> DevicePolicy.resourcePattern("dt/signage/+/status")).isInstanceOf(AwsProvisioningException.class);
    }

    private static JsonNode statement(JsonNode policy, String action) {
        for (JsonNode statement : policy.get("Statement")) {
            if (statement.get("Action").asText().equals(action)) {
                return statement;
            }
        }
        throw new AssertionError("no statement for " + action + " in " + policy.toPrettyString());
    }

    private static List<String> resources(JsonNode policy, String action) {
        List<String> resources = new ArrayList<>();
        statement(policy, action).get("Resource").forEach(r -> resources.add(r.asText()));
        return resources;
    }
}
