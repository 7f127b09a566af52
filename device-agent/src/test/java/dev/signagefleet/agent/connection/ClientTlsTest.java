package dev.signagefleet.agent.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signagefleet.agent.config.AgentConfigException;
import dev.signagefleet.agent.config.TlsFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Device certificates and keys in every PEM form terminals are provisioned with produce a TLS
 * context that completes a real mutual-TLS handshake with a server demanding a client certificate.
 */
class ClientTlsTest {

    private static TestPki pki;
    private static KeyPair rsaDeviceKeys;
    private static X509Certificate rsaDevice;
    private static KeyPair ecDeviceKeys;
    private static X509Certificate ecDevice;

    @TempDir
    Path dir;

    @BeforeAll
    static void createPki() throws Exception {
        pki = TestPki.create();
        rsaDeviceKeys = TestPki.rsa();
        rsaDevice = pki.certificate("lobby-rsa", rsaDeviceKeys.getPublic());
        ecDeviceKeys = TestPki.ec();
        ecDevice = pki.certificate("lobby-ec", ecDeviceKeys.getPublic());
    }

    /** Runs after {@link #createPki()}: argument sources of a parameterized test are read when it runs. */
    static Stream<Arguments> keyFormats() throws Exception {
        return Stream.of(
                Arguments.of("PKCS#8 RSA", "lobby-rsa", TestPki.pem("PRIVATE KEY", rsaDeviceKeys.getPrivate().getEncoded())),
                Arguments.of("PKCS#1 RSA", "lobby-rsa", TestPki.pem("RSA PRIVATE KEY", TestPki.pkcs1(rsaDeviceKeys.getPrivate()))),
                Arguments.of("PKCS#8 EC", "lobby-ec", TestPki.pem("PRIVATE KEY", ecDeviceKeys.getPrivate().getEncoded())),
                Arguments.of("SEC1 EC", "lobby-ec", TestPki.pem("EC PRIVATE KEY", TestPki.sec1(ecDeviceKeys))),
                Arguments.of("SEC1 EC after EC PARAMETERS (openssl ecparam -genkey)", "lobby-ec",
                        TestPki.pem("EC PARAMETERS", TestPki.secp256r1Parameters()) + TestPki.pem("EC PRIVATE KEY", TestPki.sec1(ecDeviceKeys))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyFormats")
    void eachKeyFormatCompletesAMutualTlsHandshake(String format, String device, String keyPem) throws Exception {
        X509Certificate cert = device.equals("lobby-rsa") ? rsaDevice : ecDevice;
        TlsFiles files = files(TestPki.pem("CERTIFICATE", cert.getEncoded()), keyPem, TestPki.pem("CERTIFICATE", pki.ca.getEncoded()));

        SSLContext context = ClientTls.context(files);

        assertThat(handshake(context)).isEqualTo("CN=" + device);
    }

    @Test
    void withoutAClientCertificateOnlyTheCaIsUsed() throws Exception {
        Path caFile = Files.writeString(dir.resolve("ca.pem"), TestPki.pem("CERTIFICATE", pki.ca.getEncoded()));
        SSLContext context = ClientTls.context(new TlsFiles(Optional.of(caFile), Optional.empty(), Optional.empty()));

        assertThat(handshakeWithoutClientAuth(context)).isTrue();
    }

    @Test
    void aKeyOfAnotherCertificateIsNamedAsTheProblem() throws Exception {
        TlsFiles files = files(TestPki.pem("CERTIFICATE", rsaDevice.getEncoded()),
                TestPki.pem("PRIVATE KEY", ecDeviceKeys.getPrivate().getEncoded()), TestPki.pem("CERTIFICATE", pki.ca.getEncoded()));

        assertThatThrownBy(() -> ClientTls.context(files))
                .isInstanceOf(AgentConfigException.class)
                .hasMessage("tls.key.file: the private key does not belong to the certificate in tls.cert.file");
    }

    @Test
    void anEncryptedKeyIsRefusedWithAHowToFix() throws Exception {
        TlsFiles files = files(TestPki.pem("CERTIFICATE", rsaDevice.getEncoded()),
                TestPki.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}), TestPki.pem("CERTIFICATE", pki.ca.getEncoded()));

        assertThatThrownBy(() -> ClientTls.context(files))
                .isInstanceOf(AgentConfigException.class)
                .hasMessageStartingWith("tls.key.file: ")
                .hasMessageContaining("encrypted")
                .hasMessageContaining("-nocrypt");
    }

    @Test
    void garbageInsteadOfPemNamesTheFilesKey() throws Exception {
        String key = TestPki.pem("PRIVATE KEY", rsaDeviceKeys.getPrivate().getEncoded());
        String cert = TestPki.pem("CERTIFICATE", rsaDevice.getEncoded());

        assertThatThrownBy(() -> ClientTls.context(files("not a certificate", key, cert)))
                .hasMessageStartingWith("tls.cert.file: expected PEM certificates");
        assertThatThrownBy(() -> ClientTls.context(files(cert, "no key here", cert)))
                .hasMessageStartingWith("tls.key.file: expected an unencrypted PEM private key");
        assertThatThrownBy(() -> ClientTls.context(files(cert, key, "")))
                .hasMessageStartingWith("tls.ca.file: expected PEM certificates");
    }

    private TlsFiles files(String certPem, String keyPem, String caPem) throws IOException {
        Path cert = Files.writeString(dir.resolve("device.crt"), certPem, StandardCharsets.US_ASCII);
        Path key = Files.writeString(dir.resolve("device.key"), keyPem, StandardCharsets.US_ASCII);
        Path caFile = Files.writeString(dir.resolve("ca.pem"), caPem, StandardCharsets.US_ASCII);
        return new TlsFiles(Optional.of(caFile), Optional.of(cert), Optional.of(key));
    }

    /** Connects to a TLS server that demands a client certificate; returns the subject it saw. */
    private static String handshake(SSLContext client) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) serverContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(true);
            CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                    socket.startHandshake();
                    String subject = ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
                    socket.getOutputStream().write(1);
                    return subject;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost", listener.getLocalPort())) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // as Paho does: the server name is checked
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                assertThat(socket.getInputStream().read()).isEqualTo(1);
            }
            return seen.get(10, TimeUnit.SECONDS);
        }
    }

    private static boolean handshakeWithoutClientAuth(SSLContext client) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) serverContext().getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Boolean> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                    socket.startHandshake();
                    socket.getOutputStream().write(1);
                    return true;
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("localhost", listener.getLocalPort())) {
                socket.startHandshake();
                assertThat(socket.getInputStream().read()).isEqualTo(1);
            }
            return served.get(10, TimeUnit.SECONDS);
        }
    }

    private static SSLContext serverContext() throws GeneralSecurityException, IOException {
        char[] password = "test".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", pki.serverKeys.getPrivate(), password, new Certificate[] {pki.server, pki.ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }
}
