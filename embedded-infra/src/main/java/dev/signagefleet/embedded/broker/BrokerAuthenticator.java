package dev.signagefleet.embedded.broker;

/**
 * Decides whether an MQTT CONNECT may proceed. Implementations may block (they run on the
 * extension's executor, not on the broker's network threads).
 */
@FunctionalInterface
public interface BrokerAuthenticator {

    AuthResult authenticate(String clientId, String username, String password);

    /**
     * Decides a CONNECT on the mutual-TLS listener, where the client's certificate, signed by the
     * broker's CA and naming the client id as its CN, stands in for the password. The default
     * refuses: certificate logins need an authenticator that knows the devices.
     */
    default AuthResult authenticateCertificate(String deviceId) {
        return new AuthResult.Refused("certificate logins are not enabled", false);
    }

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
