package dev.signagefleet.common;

/** Root of the unchecked exceptions thrown by signage-fleet code; subclasses carry the facts. */
public class SignageException extends RuntimeException {

    public SignageException(String message) {
        super(message);
    }

    public SignageException(String message, Throwable cause) {
        super(message, cause);
    }
}
