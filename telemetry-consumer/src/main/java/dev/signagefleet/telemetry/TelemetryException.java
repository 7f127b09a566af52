package dev.signagefleet.telemetry;

import dev.signagefleet.common.SignageException;

/** Root of the telemetry consumer's exceptions. */
public class TelemetryException extends SignageException {

    public TelemetryException(String message) {
        super(message);
    }

    public TelemetryException(String message, Throwable cause) {
        super(message, cause);
    }
}
