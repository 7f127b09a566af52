package dev.signagefleet.management.devices;

/** Commands an operator sends to one terminal over the broker. */
@FunctionalInterface
public interface DeviceCommands {

    /**
     * Asks the terminal to fetch its assigned content again now (its agent's {@code content-retry}
     * command). Harmless when the content is already on screen.
     *
     * @throws Exception when the broker did not take the message
     */
    void retryContent(String deviceId) throws Exception;
}
