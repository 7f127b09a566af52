package dev.signagefleet.agent.command;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A message received on one of the terminal's command topics ({@code cmd/signage/{deviceId}/…}
 * or {@code cmd/signage/group/{group}/…}). The payload is kept opaque: each command's feature
 * parses its own.
 *
 * @param retained true when the broker delivered a retained message (e.g. the current content
 *                 assignment on subscribe) rather than a new one
 */
public record Command(String topic, byte[] payload, boolean retained) {

    public Command {
        Objects.requireNonNull(topic, "topic");
        payload = payload.clone();
    }

    /** A topic (or, with leaf {@code #}, the filter) of this device's own commands. */
    public static String deviceTopic(String deviceId, String leaf) {
        return "cmd/signage/" + deviceId + "/" + leaf;
    }

    /** A topic (or, with leaf {@code #}, the filter) of its group's commands. */
    public static String groupTopic(String group, String leaf) {
        return "cmd/signage/group/" + group + "/" + leaf;
    }

    /** The filter of this device's own commands. */
    public static String deviceFilter(String deviceId) {
        return deviceTopic(deviceId, "#");
    }

    /** The filter of its group's commands. */
    public static String groupFilter(String group) {
        return groupTopic(group, "#");
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload decoded as UTF-8 (commands are JSON). */
    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Command that && topic.equals(that.topic) && retained == that.retained
                && java.util.Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return topic.hashCode() * 31 + java.util.Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Command[topic=" + topic + ", " + payload.length + " bytes" + (retained ? ", retained" : "") + "]";
    }
}
