package dev.signagefleet.common.mqtt;

import dev.signagefleet.common.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Turns a service's PEM client certificate, key and CA into what the HiveMQ client's TLS needs. The
 * key may be PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, as AWS IoT Core issues it), SEC1 EC or PKCS#8.
 */
final class MqttClientCertificates {

    record Factories(KeyManagerFactory keys, TrustManagerFactory trust) {
    }

    private MqttClientCertificates() {
    }

    /** {@code keys} is null without a client certificate (only a CA to trust). */
    static Factories load(MqttSettings.TlsFiles files) {
        Path described = files.certificateFile().or(files::caFile).orElseThrow();
        try {
            KeyManagerFactory kmf = null;
            if (files.hasClientCertificate()) {
                Path certificateFile = files.certificateFile().orElseThrow();
                Path keyFile = files.privateKeyFile().orElseThrow();
                Collection<? extends Certificate> chain = certificates(certificateFile, "SIGNAGE_MQTT_CERT_FILE");
                PrivateKey key = privateKey(keyFile);
                requireMatch(key, chain.iterator().next().getPublicKey(), certificateFile, keyFile);
                char[] password = new char[0];
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", key, password, chain.toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, password);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            Optional<Path> ca = files.caFile();
            if (ca.isPresent()) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (Certificate c : certificates(ca.get(), "SIGNAGE_MQTT_CA_FILE")) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
                tmf.init(trust);
            } else {
                tmf.init((KeyStore) null);
            }
            return new Factories(kmf, tmf);
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException("SIGNAGE_MQTT_CERT_FILE", "the TLS files (" + described + " and the others named) cannot be used: "
                    + e.getMessage());
        }
    }

    /** A key that does not belong to the certificate would only show as a handshake failure: say so at start. */
    private static void requireMatch(PrivateKey key, PublicKey certificateKey, Path certificateFile, Path keyFile)
            throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return; // an unusual key type: the handshake will tell
        }
        byte[] challenge = "signage-fleet key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificateKey);
        verifier.update(challenge);
        if (!verifier.verify(signature)) {
            throw new ConfigException("SIGNAGE_MQTT_KEY_FILE", keyFile + " is not the private key of the certificate " + certificateFile);
        }
    }

    private static Collection<? extends Certificate> certificates(Path file, String key) throws IOException, GeneralSecurityException {
        if (!Files.isReadable(file)) {
            throw new ConfigException(key, file + " does not exist or cannot be read");
        }
        try (var in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new ConfigException(key, file + " holds no PEM certificate");
            }
            return certificates;
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new ConfigException("SIGNAGE_MQTT_KEY_FILE", file + " does not exist or cannot be read");
        }
        try (Reader in = Files.newBufferedReader(file); PEMParser pem = new PEMParser(in)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            // openssl writes an EC key after its "EC PARAMETERS" block: read on to the first key.
            for (Object object = pem.readObject(); object != null; object = pem.readObject()) {
                if (object instanceof PEMKeyPair pair) {
                    // A SEC1 EC key may come without its public half
                    return pair.getPublicKeyInfo() == null ? converter.getPrivateKey(pair.getPrivateKeyInfo())
                            : converter.getKeyPair(pair).getPrivate();
                }
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof org.bouncycastle.openssl.PEMEncryptedKeyPair
                        || object instanceof org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo) {
                    throw new ConfigException("SIGNAGE_MQTT_KEY_FILE", file + " holds an encrypted key; give the key unencrypted "
                            + "(readable by the service's user only)");
                }
            }
            throw new ConfigException("SIGNAGE_MQTT_KEY_FILE", file + " holds no PEM private key");
        }
    }
}
