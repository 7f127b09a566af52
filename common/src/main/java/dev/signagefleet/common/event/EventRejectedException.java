package dev.signagefleet.common.event;

import dev.signagefleet.common.SignageException;

/**
 * The transport received the event and refused it for good (for example MQTT PUBACK 135, not
 * authorized): sending it again cannot succeed, unlike a connection failure.
 */
public class EventRejectedException extends SignageException {

    public EventRejectedException(String message) {
        super(message);
    }
}
