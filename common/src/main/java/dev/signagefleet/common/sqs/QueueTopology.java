package dev.signagefleet.common.sqs;

import dev.signagefleet.common.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which consumer queues receive which event types, as an SNS topic with SQS subscriptions would:
 * a publisher never names its consumers; this map (configuration) fans each event out.
 * Queue names are {@code {prefix}{consumer}}; each has a dead-letter queue {@code {name}-dlq}.
 */
public final class QueueTopology {

    private final String prefix;
    private final Map<String, Set<String>> queuesByType = new LinkedHashMap<>();
    private final Set<String> consumers = new LinkedHashSet<>();

    /** A consumer and the event types it subscribes to. */
    public record Subscription(String consumer, List<String> eventTypes) {
    }

    public QueueTopology(String prefix, List<Subscription> subscriptions) {
        this.prefix = prefix;
        for (Subscription s : subscriptions) {
            if (!s.consumer().matches("[a-z0-9-]{1,60}")) {
                throw new ConfigException("subscriptions", "consumer name must be lowercase letters, digits and '-', was '"
                        + s.consumer() + "'");
            }
            consumers.add(s.consumer());
            for (String type : s.eventTypes()) {
                queuesByType.computeIfAbsent(type, t -> new LinkedHashSet<>()).add(queueOf(s.consumer()));
            }
        }
    }

    /**
     * Parses {@code consumer=type,type;consumer=type}, e.g. from {@code SIGNAGE_SUBSCRIPTIONS}.
     */
    public static QueueTopology parse(String prefix, String text) {
        List<Subscription> subscriptions = new ArrayList<>();
        for (String part : text.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            String[] kv = part.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank()) {
                throw new ConfigException("SIGNAGE_SUBSCRIPTIONS", "expected consumer=type,type;consumer=type, found '" + part + "'");
            }
            List<String> types = new ArrayList<>();
            for (String type : kv[1].split(",")) {
                if (!type.isBlank()) {
                    types.add(type.trim());
                }
            }
            subscriptions.add(new Subscription(kv[0].trim(), types));
        }
        return new QueueTopology(prefix, subscriptions);
    }

    public String queueOf(String consumer) {
        return prefix + consumer;
    }

    public static String deadLetterQueueOf(String queue) {
        return queue + "-dlq";
    }

    /** The queues that receive events of this type (empty when nobody subscribed). */
    public List<String> queuesFor(String eventType) {
        return List.copyOf(queuesByType.getOrDefault(eventType, Set.of()));
    }

    /** Every consumer queue (not the dead-letter queues). */
    public List<String> queues() {
        return consumers.stream().map(this::queueOf).toList();
    }

    @Override
    public String toString() {
        return queuesByType.toString();
    }
}
