package dev.signagefleet.agent.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * PEM files for an {@code ssl://} connection. Without a CA file the JVM's trust store is used
 * (enough for AWS IoT Core's Amazon Root CA); without a client certificate the broker must accept
 * the user name and password instead.
 *
 * @param caFile   CA certificate(s) the broker's certificate must chain to
 * @param certFile this device's certificate (chain), leaf first
 * @param keyFile  the private key of {@code certFile}: PKCS#8, PKCS#1 RSA or SEC1 EC
 */
public record TlsFiles(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {

    public boolean isEmpty() {
        return caFile.isEmpty() && certFile.isEmpty() && keyFile.isEmpty();
    }
}
