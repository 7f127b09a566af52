package dev.signagefleet.common.sqs;

import dev.signagefleet.common.event.Event;
import org.jdbi.v3.core.Handle;

/**
 * What a service does with one event. It runs inside the transaction that also records the event
 * id in the inbox, so its database effect happens exactly once; effects outside the database
 * (an MQTT publish) must be safe to repeat, because a failure before the commit redelivers the event.
 */
@FunctionalInterface
public interface EventHandler {

    void handle(Handle handle, Event event) throws Exception;
}
