package dev.signagefleet.testing;

import java.util.HashMap;
import java.util.Map;

/**
 * The environment a {@code signage service NAME} process needs to run against the tests' PostgreSQL,
 * broker and queue server: what every service reads, the same for each instance. Callers add what is
 * their own (ports, instance name, public URLs, content folder) to the map they get.
 */
public final class ServiceEnvironment {

    private ServiceEnvironment() {
    }

    /**
     * @param telemetryPassword the password of the telemetry consumer's broker account
     * @param contentPassword   the password of the content registry's (and management's) broker account
     */
    public static Map<String, String> of(PostgresExtension db, BrokerExtension broker, QueueServerExtension sqs,
                                         String telemetryPassword, String contentPassword, String adminPassword) {
        Map<String, String> env = new HashMap<>();
        env.put("SIGNAGE_POSTGRES_URL", db.config().jdbcUrl());
        env.put("SIGNAGE_POSTGRES_USER", db.config().user());
        env.put("SIGNAGE_DB_POOL_SIZE", "4");
        env.put("SIGNAGE_MQTT_URL", broker.url());
        env.put("SIGNAGE_TELEMETRY_MQTT_PASSWORD", telemetryPassword);
        env.put("SIGNAGE_CONTENT_MQTT_PASSWORD", contentPassword);
        env.put("SIGNAGE_SQS_URL", sqs.endpoint());
        env.put("SIGNAGE_SQS_REGION", "elasticmq");
        env.put("SIGNAGE_SQS_ACCESS_KEY", "local");
        env.put("SIGNAGE_SQS_SECRET_KEY", "local");
        env.put("SIGNAGE_ADMIN_PASSWORD", adminPassword);
        env.put("SIGNAGE_BIND_ADDRESS", "127.0.0.1");
        return env;
    }
}
