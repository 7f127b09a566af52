package dev.signagefleet.contentregistry.assignment;

/**
 * Tells terminals which content to show: a retained QoS 1 message on their content topic, so a
 * terminal that is offline now gets it when it comes back. Returns once the broker acknowledged it.
 */
@FunctionalInterface
public interface AssignmentPublisher {

    void publishRetained(String topic, byte[] payload) throws Exception;
}
