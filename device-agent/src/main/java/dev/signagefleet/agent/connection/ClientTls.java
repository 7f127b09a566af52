package dev.signagefleet.agent.connection;

import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.config.AgentConfigException;
import dev.signagefleet.agent.config.ConfigKey;
import dev.signagefleet.agent.config.TlsFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the TLS context of an {@code ssl://} connection from PEM files with the JDK alone:
 * the device certificate and key for mutual TLS (AWS IoT Core), and the CA to trust. Every
 * problem is reported as an {@link AgentConfigException} naming the key of the file at fault.
 */
public final class ClientTls {

    private ClientTls() {
    }

    /** The socket factory for {@code config}, or empty for {@code tcp://}. */
    public static Optional<SSLSocketFactory> socketFactory(AgentConfig config) {
        if (!config.usesTls()) {
            return Optional.empty();
        }
        return Optional.of(context(config.tls()).getSocketFactory());
    }

    public static SSLContext context(TlsFiles files) {
        KeyManager[] keyManagers = null;
        if (files.certFile().isPresent() && files.keyFile().isPresent()) {
            List<X509Certificate> chain = certificates(files.certFile().get(), ConfigKey.TLS_CERT_FILE);
            PrivateKey key = privateKey(files.keyFile().get());
            requireMatch(key, chain.get(0).getPublicKey());
            keyManagers = keyManagers(chain, key);
        }
        TrustManager[] trustManagers = null; // null: the JVM's default trust store
        if (files.caFile().isPresent()) {
            trustManagers = trustManagers(certificates(files.caFile().get(), ConfigKey.TLS_CA_FILE));
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new AgentConfigException(ConfigKey.TLS_CERT_FILE.key(), "cannot set up TLS: " + e, e);
        }
    }

    static List<X509Certificate> certificates(Path file, ConfigKey key) {
        try {
            byte[] pem = Files.readAllBytes(file);
            List<X509Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(X509Certificate.class::cast)
                    .toList();
            if (certificates.isEmpty()) {
                throw new AgentConfigException(key.key(), "expected PEM certificates (BEGIN CERTIFICATE) in " + file + ", found none");
            }
            return certificates;
        } catch (IOException | CertificateException e) {
            throw new AgentConfigException(key.key(), "expected PEM certificates (BEGIN CERTIFICATE) in " + file + ": " + e, e);
        }
    }

    static PrivateKey privateKey(Path file) {
        try {
            return PemKeys.privateKey(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException | IllegalArgumentException e) {
            throw new AgentConfigException(ConfigKey.TLS_KEY_FILE.key(),
                    "expected an unencrypted PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC) in " + file + ": " + e.getMessage(), e);
        }
    }

    /** A key that does not belong to the certificate would only show up as an obscure handshake failure. */
    private static void requireMatch(PrivateKey key, PublicKey certificateKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448: the signature algorithm has the key's name
        };
        try {
            byte[] probe = "signage-fleet key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificateKey);
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another type than the certificate's ends up here too
        }
        throw new AgentConfigException(ConfigKey.TLS_KEY_FILE.key(), "the private key does not belong to the certificate in tls.cert.file");
    }

    private static KeyManager[] keyManagers(List<X509Certificate> chain, PrivateKey key) {
        try {
            // an in-memory key store only: the password protects nothing on disk, but PKCS12 wants one
            char[] password = java.util.UUID.randomUUID().toString().toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("device", key, password, chain.toArray(new Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new AgentConfigException(ConfigKey.TLS_KEY_FILE.key(), "cannot use the key with the certificate: " + e, e);
        }
    }

    private static TrustManager[] trustManagers(List<X509Certificate> cas) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new AgentConfigException(ConfigKey.TLS_CA_FILE.key(), "cannot trust these CA certificates: " + e, e);
        }
    }
}
