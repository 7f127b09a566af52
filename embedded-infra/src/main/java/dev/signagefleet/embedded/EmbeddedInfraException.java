package dev.signagefleet.embedded;

/** An embedded component (broker, queue server, database) could not start or stop. */
public class EmbeddedInfraException extends RuntimeException {

    public EmbeddedInfraException(String message, Throwable cause) {
        super(message, cause);
    }
}
