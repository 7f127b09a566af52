package dev.signagefleet.embedded.broker;

/**
 * Decides whether an MQTT CONNECT may proceed. Implementations may block (they run on the
 * extension's executor, not on the broker's network threads).
 */
@FunctionalInterface
public interface BrokerAuthenticator {

    AuthResult authenticate(String clientId, String username, String password);

    /** The outcome of one CONNECT. */
    sealed interface AuthResult {
        record Accepted(BrokerPrincipal principal) implements AuthResult {
        }

        /**
         * @param reason  what went wrong, for the broker log (never the secret)
         * @param badClientId true when the client id, not the credential, was wrong
         */
        record Refused(String reason, boolean badClientId) implements AuthResult {
        }
    }
}
