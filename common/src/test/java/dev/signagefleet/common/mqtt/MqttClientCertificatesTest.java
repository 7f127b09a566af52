package dev.signagefleet.common.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signagefleet.common.config.ConfigException;
import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The services' MQTT TLS files: the key formats brokers and AWS hand out, a CA alone, and the mistakes people make. */
class MqttClientCertificatesTest {

    @TempDir
    Path dir;

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate selfSigned(KeyPair pair, String algorithm) throws Exception {
        X500Name name = new X500Name("CN=svc-test");
        Instant now = Instant.now();
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(1, ChronoUnit.DAYS)), name, pair.getPublic())
                .build(new JcaContentSignerBuilder(algorithm).build(pair.getPrivate())));
    }

    private Path pem(String file, Object... objects) throws IOException {
        Path path = dir.resolve(file);
        try (Writer out = Files.newBufferedWriter(path); JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                writer.writeObject(o instanceof java.security.PrivateKey key ? new JcaMiscPEMGenerator(key) : o);
            }
        }
        return path;
    }

    private static MqttSettings settings(Map<String, String> env) {
        return new MqttSettings("ssl://broker.example:8883", "", new Secret("")).withCertificateFrom(Settings.of(env));
    }

    @Test
    void anAwsStylePkcs1RsaKeyWithItsCertificateIsAClientCertificateAndTheOnlyLogin() throws Exception {
        KeyPair pair = rsa();
        Path cert = pem("cert.pem", selfSigned(pair, "SHA256withRSA"));
        Path key = pem("key.pem", pair.getPrivate());
        assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        MqttSettings settings = settings(Map.of("SIGNAGE_MQTT_CERT_FILE", cert.toString(), "SIGNAGE_MQTT_KEY_FILE", key.toString()));
        MqttClientCertificates.Factories factories = MqttClientCertificates.load(settings.tlsFiles().orElseThrow());

        assertThat(factories.keys()).isNotNull();
        assertThat(settings.certificateOnly()).isTrue();
    }

    @Test
    void anOpensslEcKeyAfterItsParametersBlockIsRead() throws Exception {
        // Made by `openssl ecparam -genkey -name prime256v1`: the curve's block first, then the SEC1 key (test resources).
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        try (var in = getClass().getResourceAsStream("/mqtt-tls/openssl-ec-key.pem")) {
            Files.copy(in, key);
        }
        try (var in = getClass().getResourceAsStream("/mqtt-tls/openssl-ec-cert.pem")) {
            Files.copy(in, cert);
        }
        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PARAMETERS-----").contains("-----BEGIN EC PRIVATE KEY-----");

        assertThat(MqttClientCertificates.load(new MqttSettings.TlsFiles(Optional.of(cert), Optional.of(key), Optional.empty()))
                .keys()).isNotNull();
    }

    @Test
    void aCaAloneIsTrustedWithoutAClientCertificateAndThePasswordStaysTheLogin() throws Exception {
        Path ca = pem("ca.pem", selfSigned(rsa(), "SHA256withRSA"));
        MqttSettings settings = new MqttSettings("ssl://broker.example:8883", "svc", new Secret("pw"))
                .withCertificateFrom(Settings.of(Map.of("SIGNAGE_MQTT_CA_FILE", ca.toString())));

        MqttClientCertificates.Factories factories = MqttClientCertificates.load(settings.tlsFiles().orElseThrow());

        assertThat(factories.keys()).isNull();
        assertThat(factories.trust()).isNotNull();
        assertThat(settings.certificateOnly()).isFalse();
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedAtStartNamingBothFiles() throws Exception {
        Path cert = pem("cert.pem", selfSigned(rsa(), "SHA256withRSA"));
        Path other = pem("other-key.pem", rsa().getPrivate());

        assertThatThrownBy(() -> MqttClientCertificates.load(
                new MqttSettings.TlsFiles(Optional.of(cert), Optional.of(other), Optional.empty())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not the private key of the certificate")
                .hasMessageContaining("other-key.pem");
    }

    @Test
    void halfAClientCertificateOrTlsFilesOnAPlainUrlAreConfigurationErrors() throws Exception {
        Path cert = pem("cert.pem", selfSigned(rsa(), "SHA256withRSA"));
        assertThatThrownBy(() -> settings(Map.of("SIGNAGE_MQTT_CERT_FILE", cert.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("SIGNAGE_MQTT_KEY_FILE");
        assertThatThrownBy(() -> new MqttSettings("tcp://broker.example:1883", "", new Secret(""))
                .withCertificateFrom(Settings.of(Map.of("SIGNAGE_MQTT_CA_FILE", cert.toString()))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl://");
        assertThatThrownBy(() -> MqttClientCertificates.load(new MqttSettings.TlsFiles(Optional.of(cert),
                Optional.of(dir.resolve("missing.pem")), Optional.empty())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("missing.pem");
    }
}
