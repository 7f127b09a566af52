package dev.signagefleet.launcher.stack;

import dev.signagefleet.common.SignageException;

/** The stack cannot start; the message says why and what to do, and is printed without a stack trace. */
public class StackStartException extends SignageException {

    public StackStartException(String message) {
        super(message);
    }

    public StackStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
