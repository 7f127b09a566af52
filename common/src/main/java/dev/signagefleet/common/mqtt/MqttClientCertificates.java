package dev.signagefleet.common.mqtt;

import dev.signagefleet.common.config.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
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

    static Factories load(MqttSettings.ClientCertificate files) {
        try {
            Collection<? extends Certificate> chain = certificates(files.certificateFile(), "SIGNAGE_MQTT_CERT_FILE");
            PrivateKey key = privateKey(files.privateKeyFile());
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", key, password, chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
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
            throw new ConfigException("SIGNAGE_MQTT_CERT_FILE", "the client certificate " + files.certificateFile() + " and key "
                    + files.privateKeyFile() + " cannot be used: " + e.getMessage());
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
            Object object = pem.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new ConfigException("SIGNAGE_MQTT_KEY_FILE", file + " holds no unencrypted PEM private key"
                    + (object == null ? "" : " (found " + object.getClass().getSimpleName() + ")"));
        }
    }
}
