package dev.signagefleet.launcher.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything {@code signage up} needs to know. An external URL replaces the embedded component.
 *
 * @param dataDir        holds the embedded database, broker state, simulator terminals, logs
 * @param bindAddress    interface for the HTTP API and the MQTT listener
 * @param postgresUrl    external PostgreSQL (jdbc:postgresql://...), else embedded
 * @param mqttUrl        external MQTT 5 broker (tcp:// or ssl://), else embedded
 * @param sqsUrl         external SQS endpoint, else embedded ElasticMQ
 * @param publicMqttUrl  the broker URL terminals should use (goes into generated agent configs)
 * @param durable        fsync on for the embedded database (always, except in tests)
 */
public record StackOptions(
        Path dataDir,
        String bindAddress,
        int httpPort,
        int mqttPort,
        int sqsPort,
        int devices,
        Duration heartbeat,
        Optional<String> postgresUrl,
        Optional<String> mqttUrl,
        Optional<String> sqsUrl,
        Optional<String> publicMqttUrl,
        Optional<String> adminPassword,
        long brokerQueueSize,
        boolean durable) {

    public String effectivePublicMqttUrl() {
        return publicMqttUrl.or(() -> mqttUrl).orElse("tcp://" + localHost() + ":" + mqttPort);
    }

    /**
     * The address this machine's own clients (the services, simulated terminals, the banner) use to
     * reach the listeners: loopback when they listen on every interface, else the bind address.
     */
    public String localHost() {
        boolean wildcard = bindAddress.equals("0.0.0.0") || bindAddress.equals("::") || bindAddress.equals("[::]");
        if (wildcard) {
            return "127.0.0.1";
        }
        return bindAddress.contains(":") && !bindAddress.startsWith("[") ? "[" + bindAddress + "]" : bindAddress;
    }
}
