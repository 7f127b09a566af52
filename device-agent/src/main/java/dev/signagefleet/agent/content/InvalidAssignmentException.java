package dev.signagefleet.agent.content;

import dev.signagefleet.agent.AgentException;

/** An assignment message the agent cannot use; names the field at fault and what was expected. */
public final class InvalidAssignmentException extends AgentException {

    public InvalidAssignmentException(String problem) {
        super(problem);
    }

    public InvalidAssignmentException(String problem, Throwable cause) {
        super(problem, cause);
    }
}
