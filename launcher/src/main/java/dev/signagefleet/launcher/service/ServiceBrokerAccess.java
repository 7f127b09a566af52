package dev.signagefleet.launcher.service;

import dev.signagefleet.aws.plan.ServiceGrant;
import dev.signagefleet.contentregistry.assignment.ContentTopics;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.launcher.stack.Pipeline;
import dev.signagefleet.telemetry.TelemetryConfig;
import dev.signagefleet.telemetry.TelemetryConsumer;
import java.util.List;

/**
 * What each service that talks MQTT does on the broker, from the services' own constants: the
 * declaration {@code signage aws setup} turns into the AWS IoT services policy. csv-ingest and
 * content-builder use no MQTT.
 */
public final class ServiceBrokerAccess {

    /** The telemetry consumer's broker account: its shared subscriptions, and the device events it publishes. */
    public static final BrokerPrincipal.Service TELEMETRY = new BrokerPrincipal.Service(TelemetryConfig.SERVICE_ACCOUNT,
            TelemetryConsumer.BROKER_PUBLISH, List.of(), TelemetryConsumer.BROKER_SHARED_SUBSCRIPTIONS, TelemetryConfig.SHARED_GROUP);

    /** The account content-registry and management publish with: terminals' commands and content, and events. */
    public static final BrokerPrincipal.Service CONTENT = new BrokerPrincipal.Service(Pipeline.REGISTRY_ACCOUNT,
            ContentTopics.BROKER_PUBLISH, List.of(), List.of(), null);

    private ServiceBrokerAccess() {
    }

    /** Content assignments and group moves are published retained (MqttAssignmentPublisher), so those two may retain. */
    public static List<ServiceGrant> grants() {
        return List.of(
                new ServiceGrant(SignageService.mqttClientIdPrefix(SignageService.Name.TELEMETRY_CONSUMER), TELEMETRY, false),
                new ServiceGrant(SignageService.mqttClientIdPrefix(SignageService.Name.CONTENT_REGISTRY), CONTENT, true),
                new ServiceGrant(SignageService.mqttClientIdPrefix(SignageService.Name.MANAGEMENT), CONTENT, true));
    }
}
