package dev.signagefleet.launcher.service;

/** A service cannot start: the message says which setting to fix. */
public final class ServiceStartException extends RuntimeException {

    public ServiceStartException(String message) {
        super(message);
    }

    public ServiceStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
