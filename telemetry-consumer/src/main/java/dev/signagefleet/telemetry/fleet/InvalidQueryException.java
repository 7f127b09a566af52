package dev.signagefleet.telemetry.fleet;

import dev.signagefleet.telemetry.TelemetryException;

/** A fleet query parameter is not acceptable; the message says which and what is expected. */
public class InvalidQueryException extends TelemetryException {

    private final String parameter;

    public InvalidQueryException(String parameter, String message) {
        super(parameter + ": " + message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
