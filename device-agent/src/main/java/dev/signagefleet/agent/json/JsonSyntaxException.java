package dev.signagefleet.agent.json;

import dev.signagefleet.agent.AgentException;

/** Text that is not the JSON the agent expects; names the character position of the first problem. */
public final class JsonSyntaxException extends AgentException {

    /** @param position zero-based index of the character where reading stopped */
    public JsonSyntaxException(String problem, int position) {
        super(problem + " at position " + position);
    }
}
