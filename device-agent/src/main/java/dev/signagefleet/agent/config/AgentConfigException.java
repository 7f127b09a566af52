package dev.signagefleet.agent.config;

import dev.signagefleet.agent.AgentException;

/**
 * A configuration value that cannot be used; names the key and says what was expected, e.g.
 * {@code mqtt.url: expected tcp://host:port or ssl://host:port, was 'foo'}.
 */
public final class AgentConfigException extends AgentException {

    private final String key;

    public AgentConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public AgentConfigException(String key, String problem, Throwable cause) {
        super(key + ": " + problem, cause);
        this.key = key;
    }

    /** The configuration key (or command-line option) at fault. */
    public String key() {
        return key;
    }
}
