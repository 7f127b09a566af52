package dev.signagefleet.common.event;

import dev.signagefleet.common.SignageException;

/** An incoming event envelope cannot be read; the message says which attribute is wrong. */
public class MalformedEventException extends SignageException {

    public MalformedEventException(String message) {
        super("malformed CloudEvent: " + message);
    }
}
