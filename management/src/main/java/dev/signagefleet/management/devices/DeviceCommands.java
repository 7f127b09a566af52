package dev.signagefleet.management.devices;

/** Commands an operator sends to one terminal over the broker. */
public interface DeviceCommands {

    /**
     * Asks the terminal to fetch its assigned content again now (its agent's {@code content-retry}
     * command). Harmless when the content is already on screen.
     *
     * @throws Exception when the broker did not take the message
     */
    void retryContent(String deviceId) throws Exception;

    /**
     * Tells the terminal the group it is in now (its agent's retained {@code group} command), after
     * the registry moved it. Harmless when the terminal is in that group already.
     *
     * @throws Exception when the broker did not take the message
     */
    void tellGroup(String deviceId, String group) throws Exception;
}
