package dev.signagefleet.agent;

/**
 * The root of every error the agent raises. Unchecked, because a caller can rarely recover from
 * one other than by fixing what its subclass names (a config key, a file).
 */
public class AgentException extends RuntimeException {

    public AgentException(String message) {
        super(message);
    }

    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }
}
