package dev.signagefleet.aws.plan;

import dev.signagefleet.embedded.broker.BrokerPrincipal;
import java.util.List;

/**
 * Services shaped like the product's (the launcher declares the real ones from the services' own
 * constants, and ServiceBrokerAccessTest checks those): a telemetry consumer on two shared
 * subscriptions, and two services publishing retained commands and events with one broker account.
 */
public final class ExampleServices {

    public static final BrokerPrincipal.Service TELEMETRY = new BrokerPrincipal.Service("svc-telemetry", List.of("evt/#"), List.of(),
            List.of("dt/signage/+/status", "dt/signage/+/presence"), "telemetry");
    public static final BrokerPrincipal.Service CONTENT = new BrokerPrincipal.Service("svc-content-registry",
            List.of("cmd/signage/#", "evt/#"), List.of(), List.of(), null);

    public static final List<ServiceGrant> GRANTS = List.of(
            new ServiceGrant("telemetry-consumer-", TELEMETRY, false),
            new ServiceGrant("content-registry-", CONTENT, true),
            new ServiceGrant("management-", CONTENT, true));

    private ExampleServices() {
    }
}
