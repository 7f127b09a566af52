package dev.signagefleet.common.mqtt;

import java.util.List;

/**
 * The MQTT client ids the services use start with their name ({@code {service}-{instance}}). A terminal
 * connects with its device id as client id, so no device may have an id that starts so: it could take
 * a service's connection over (MQTT lets a new connection with a client id end the old one).
 */
public final class ServiceClientIds {

    /** One per service ({@code signage service NAME}), with the dash. */
    public static final List<String> PREFIXES = List.of("telemetry-consumer-", "csv-ingest-", "content-builder-",
            "content-registry-", "management-");

    private ServiceClientIds() {
    }

    /** True when a device id would look like a service's client id. */
    public static boolean looksLikeAService(String deviceId) {
        return PREFIXES.stream().anyMatch(deviceId::startsWith);
    }
}
