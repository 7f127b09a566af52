package dev.signagefleet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.connection.TestPki;
import dev.signagefleet.agent.metrics.SimulatedMetrics;
import dev.signagefleet.testing.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS IoT Core way in, end to end through Paho: {@code ssl://}, an X.509 device certificate with
 * its key as AWS hands it out (PKCS#1 RSA PEM) and no password, against a HiveMQ TLS listener that
 * requires a client certificate whose CN is the client id (as an IoT policy binds thing and certificate).
 */
class MutualTlsIT {

    private static final char[] STORE_PASSWORD = "test-store".toCharArray();

    private static Path root;
    private static TestPki pki;
    private static EmbeddedHiveMQ hivemq;
    private static int tlsPort;
    private static int tcpPort;
    /** Client id → CN of the certificate it connected with, as the broker saw it. */
    private static final Map<String, String> certificateSeen = new ConcurrentHashMap<>();

    @TempDir
    Path dir;
    private final List<DeviceAgent> agents = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startTlsBroker() throws Exception {
        Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        root = Files.createTempDirectory("signage-tls-broker-");
        pki = TestPki.create();
        Path conf = Files.createDirectories(root.resolve("conf"));
        Files.createDirectories(root.resolve("data"));
        Files.createDirectories(root.resolve("extensions"));
        pki.writeServerKeyStore(conf.resolve("server.jks"), STORE_PASSWORD);
        pki.writeTrustStore(conf.resolve("trust.jks"), STORE_PASSWORD);
        tlsPort = FreePorts.next();
        tcpPort = FreePorts.next();
        Files.writeString(conf.resolve("config.xml"), """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address></tcp-listener>
                    <tls-tcp-listener>
                      <port>%d</port>
                      <bind-address>127.0.0.1</bind-address>
                      <tls>
                        <keystore><path>%s</path><password>%s</password><private-key-password>%s</private-key-password></keystore>
                        <truststore><path>%s</path><password>%s</password></truststore>
                        <client-authentication-mode>REQUIRED</client-authentication-mode>
                      </tls>
                    </tls-tcp-listener>
                  </listeners>
                  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """.formatted(tcpPort, tlsPort, conf.resolve("server.jks"), new String(STORE_PASSWORD), new String(STORE_PASSWORD),
                conf.resolve("trust.jks"), new String(STORE_PASSWORD)));
        hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(root.resolve("data"))
                .withExtensionsFolder(root.resolve("extensions"))
                .withoutLoggingBootstrap()
                .withEmbeddedExtension(EmbeddedExtension.builder().withId("certificate-identity").withName("certificate identity")
                        .withVersion("1").withExtensionMain(new CertificateIdentity()).build())
                .build();
        hivemq.start().get(120, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopTlsBroker() throws Exception {
        hivemq.stop().get(60, TimeUnit.SECONDS);
        hivemq.close();
    }

    @AfterEach
    void killAgents() {
        agents.forEach(DeviceAgent::kill);
    }

    @Test
    void aDeviceCertificateWithAnRsaPkcs1KeyAndNoPasswordConnectsOverTlsAndReports() throws Exception {
        KeyPair keys = TestPki.rsa();
        AgentConfig config = tlsConfig("tls-01", pki.certificate("tls-01", keys.getPublic()),
                TestPki.pem("RSA PRIVATE KEY", TestPki.pkcs1(keys.getPrivate())));
        List<JsonNode> statuses = new CopyOnWriteArrayList<>();
        Mqtt5AsyncClient observer = observe("dt/signage/tls-01/status", statuses);
        try {
            DeviceAgent agent = start(config);

            await().until(() -> agent.state().connected());
            await().until(() -> statuses.size() >= 2);
            assertThat(statuses.get(0).get("deviceId").asText()).isEqualTo("tls-01");
            assertThat(statuses).extracting(s -> s.get("seq").asLong()).startsWith(1L, 2L);
            assertThat(certificateSeen).containsEntry("tls-01", "CN=tls-01");
            assertThat(config.mqttPassword()).isEmpty();
        } finally {
            observer.disconnect().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCertificateTheBrokerDoesNotTrustIsRefusedWithTheTlsReasonAndTheAgentCarriesOn() throws Exception {
        TestPki stranger = TestPki.create();
        KeyPair keys = TestPki.ec();
        AgentConfig config = tlsConfig("tls-02", stranger.certificate("tls-02", keys.getPublic()),
                TestPki.pem("EC PRIVATE KEY", TestPki.sec1(keys)));

        DeviceAgent agent = start(config);

        await().until(() -> agent.state().lastError().isPresent() && agent.state().bufferedCount() >= 2);
        // TLS 1.3 checks the client's certificate after the client has finished its side of the handshake:
        // the refusal then shows as a handshake failure or as the connection breaking under the CONNECT
        assertThat(agent.state().lastError().orElseThrow()).containsAnyOf("SSLHandshakeException", "SSLException",
                "bad_certificate", "certificate_unknown", "Broken pipe", "Connection reset");
        assertThat(agent.state().connected()).isFalse();
        assertThat(agent.state().connectionCount()).isZero();
        assertThat(agent.state().lifecycle()).isEqualTo(AgentState.Lifecycle.RUNNING);
        assertThat(certificateSeen).doesNotContainKey("tls-02");
    }

    private AgentConfig tlsConfig(String deviceId, X509Certificate certificate, String keyPem) throws Exception {
        Path cert = Files.writeString(dir.resolve(deviceId + ".cert.pem"), TestPki.pem("CERTIFICATE", certificate.getEncoded()));
        Path key = Files.writeString(dir.resolve(deviceId + ".private.key"), keyPem);
        Path ca = Files.writeString(dir.resolve("ca.pem"), TestPki.pem("CERTIFICATE", pki.ca.getEncoded()));
        return AgentConfig.parse(Map.of(
                "device.id", deviceId,
                "mqtt.url", "ssl://localhost:" + tlsPort,
                "tls.ca.file", ca.toString(),
                "tls.cert.file", cert.toString(),
                "tls.key.file", key.toString(),
                "heartbeat.seconds", "0.2",
                "reconnect.min.ms", "50",
                "reconnect.max.ms", "500",
                "buffer.dir", dir.resolve("buffer").toString()));
    }

    private DeviceAgent start(AgentConfig config) {
        DeviceAgent agent = new DeviceAgent(config, new SimulatedMetrics(config.deviceId(), 1, Clock.systemUTC()), Clock.systemUTC());
        agents.add(agent);
        agent.start();
        return agent;
    }

    private static Mqtt5AsyncClient observe(String topic, List<JsonNode> into) throws Exception {
        Mqtt5AsyncClient client = Mqtt5Client.builder().identifier("tls-observer-" + System.nanoTime())
                .serverHost("127.0.0.1").serverPort(tcpPort).buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, publish ->
                into.add(Observer.Received.json(new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8))));
        client.connect().get(10, TimeUnit.SECONDS);
        client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
        return client;
    }

    /** Lets a TLS client in only with a certificate whose CN is its client id; plain TCP (the observer) freely. */
    private static final class CertificateIdentity implements ExtensionMain {

        @Override
        public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
            Services.securityRegistry().setAuthenticatorProvider(provider -> (SimpleAuthenticator) (auth, result) -> {
                String clientId = auth.getConnectPacket().getClientId();
                Optional<X509Certificate> certificate = auth.getConnectionInformation().getClientTlsInformation()
                        .flatMap(tls -> tls.getClientCertificate());
                if (auth.getConnectionInformation().getClientTlsInformation().isEmpty()) {
                    result.authenticateSuccessfully();
                } else if (certificate.isPresent()
                        && certificate.get().getSubjectX500Principal().getName().equals("CN=" + clientId)) {
                    certificateSeen.put(clientId, certificate.get().getSubjectX500Principal().getName());
                    result.authenticateSuccessfully();
                } else {
                    result.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "certificate does not name the client id");
                }
            });
        }

        @Override
        public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
            // nothing to release
        }
    }
}
