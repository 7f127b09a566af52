package dev.signagefleet.launcher.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.aws.plan.ServicesPolicy;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.contentregistry.assignment.ContentTopics;
import dev.signagefleet.telemetry.TelemetryConfig;
import dev.signagefleet.telemetry.TelemetryConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The AWS IoT services policy follows the services' own client ids and topic filters. */
class ServiceBrokerAccessTest {

    private static final String ARN = "arn:aws:iot:eu-west-1:123456789012:";

    private final JsonNode policy = json(ServicesPolicy.document("eu-west-1", "123456789012", ServiceBrokerAccess.grants()));

    @Test
    void theClientIdsTheServicesReallyUseAreTheOnesAllowedToConnect() {
        String telemetry = TelemetryConfig.from(Settings.of(Map.of())).withInstanceId("host-1").clientId();

        List<String> connect = resources("iot:Connect");

        assertThat(connect).containsExactly(ARN + "client/telemetry-consumer-*", ARN + "client/content-registry-*",
                ARN + "client/management-*");
        assertThat(telemetry).startsWith(clientIdPrefix(connect.get(0)));
        assertThat(SignageService.mqttClientIdPrefix(SignageService.Name.CONTENT_REGISTRY) + "host-1")
                .startsWith(clientIdPrefix(connect.get(1)));
        assertThat(SignageService.mqttClientIdPrefix(SignageService.Name.MANAGEMENT) + "host-1")
                .startsWith(clientIdPrefix(connect.get(2)));
    }

    @Test
    void theTelemetryConsumerMaySubscribeExactlyToItsSharedSubscriptions() {
        List<String> expected = TelemetryConsumer.BROKER_SHARED_SUBSCRIPTIONS.stream()
                .map(filter -> ARN + "topicfilter/$share/" + TelemetryConfig.SHARED_GROUP + "/" + filter).toList();

        assertThat(resources("iot:Subscribe")).containsExactlyElementsOf(expected)
                .contains(ARN + "topicfilter/$share/telemetry/dt/signage/+/status");
        assertThat(resources("iot:Receive")).contains(ARN + "topic/dt/signage/*/status", ARN + "topic/dt/signage/*/presence")
                .allMatch(r -> r.endsWith("/status") || r.endsWith("/presence"));
    }

    @Test
    void everyPublishFilterOfTheServicesIsAllowedAndContentMayBeRetained() {
        List<String> publish = new ArrayList<>();
        TelemetryConsumer.BROKER_PUBLISH.forEach(filter -> publish.add(ARN + "topic/" + filter.replace("#", "*")));
        ContentTopics.BROKER_PUBLISH.forEach(filter -> publish.add(ARN + "topic/" + filter.replace("#", "*")));

        assertThat(resources("iot:Publish")).containsExactlyInAnyOrderElementsOf(publish.stream().distinct().toList())
                .containsExactlyInAnyOrder(ARN + "topic/evt/*", ARN + "topic/cmd/signage/*");
        assertThat(resources("iot:RetainPublish")).containsExactlyInAnyOrderElementsOf(
                ContentTopics.BROKER_PUBLISH.stream().map(f -> ARN + "topic/" + f.replace("#", "*")).toList());
    }

    /** {@code arn:...:client/telemetry-consumer-*} → {@code telemetry-consumer-}. */
    private static String clientIdPrefix(String resource) {
        return resource.substring(resource.indexOf(":client/") + ":client/".length(), resource.length() - 1);
    }

    private List<String> resources(String action) {
        for (JsonNode statement : policy.get("Statement")) {
            if (statement.get("Action").asText().equals(action)) {
                List<String> resources = new ArrayList<>();
                statement.get("Resource").forEach(r -> resources.add(r.asText()));
                return resources;
            }
        }
        throw new AssertionError("no statement for " + action + " in " + policy.toPrettyString());
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    @Test
    void noDeviceMayTakeAServicesClientId() {
        for (SignageService.Name name : SignageService.Name.values()) {
            String clientId = SignageService.mqttClientIdPrefix(name) + "it-1";
            org.assertj.core.api.Assertions.assertThat(dev.signagefleet.common.mqtt.ServiceClientIds.looksLikeAService(clientId))
                    .as(clientId).isTrue();
            org.assertj.core.api.Assertions.assertThat(dev.signagefleet.management.devices.DeviceRegistration.problems(clientId,
                    "osaka", null, null)).as(clientId).anySatisfy(p -> org.assertj.core.api.Assertions.assertThat(p)
                    .contains("client id of a service"));
        }
        org.assertj.core.api.Assertions.assertThat(dev.signagefleet.common.mqtt.ServiceClientIds.looksLikeAService("lobby-01")).isFalse();
    }
}
