package dev.signagefleet.embedded.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local broker enforces the AWS IoT rules on a third-party client (Eclipse Paho): credentials,
 * client id = device id, a device's own topics only, max QoS 1 and the 128 KB packet limit.
 */
class BrokerAccessControlIT {

    private static EmbeddedBroker broker;
    private static String url;

    private static final Map<String, String> PASSWORDS = Map.of("lobby-01", "right-secret", "lobby-02", "other-secret",
            "svc-test", "service-secret");

    @BeforeAll
    static void startBroker() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        BrokerConfig config = BrokerConfig.defaults(port, Files.createTempDirectory("broker-acl-")).withBindAddress("127.0.0.1");
        BrokerAuthenticator auth = (clientId, username, password) -> {
            String expected = PASSWORDS.get(username);
            if (expected == null || !expected.equals(password)) {
                return new BrokerAuthenticator.AuthResult.Refused("wrong password", false);
            }
            if (username.startsWith("svc-")) {
                return new BrokerAuthenticator.AuthResult.Accepted(new BrokerPrincipal.Service(username,
                        List.of("cmd/signage/#"), List.of(), List.of("dt/signage/+/status"), "telemetry"));
            }
            if (!clientId.equals(username)) {
                return new BrokerAuthenticator.AuthResult.Refused("client id must equal the device id", true);
            }
            return new BrokerAuthenticator.AuthResult.Accepted(new BrokerPrincipal.Device(username, "tokyo-east"));
        };
        broker = EmbeddedBroker.start(config, auth);
        url = "tcp://127.0.0.1:" + port;
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static MqttAsyncClient connect(String clientId, String username, String password) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(username);
        options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        options.setConnectionTimeout(10);
        try {
            client.connect(options).waitForCompletion(10_000);
        } catch (MqttException e) {
            client.close();
            throw e;
        }
        return client;
    }

    @Test
    void deviceWithItsCredentialConnectsAndSeesAwsIotLimits() throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(url, "lobby-01", new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName("lobby-01");
        options.setPassword("right-secret".getBytes(StandardCharsets.UTF_8));
        IMqttToken connack = client.connect(options);
        connack.waitForCompletion(10_000);
        try {
            assertThat(client.isConnected()).isTrue();
            assertThat(connack.getResponseProperties().getMaximumQoS()).isEqualTo(1);
            assertThat(connack.getResponseProperties().getMaximumPacketSize()).isEqualTo(128L * 1024);
            IMqttToken token = client.publish("dt/signage/lobby-01/status", message("{}", 1));
            token.waitForCompletion(10_000);
            // 0 = success, 16 = success but nobody subscribed
            assertThat(token.getReasonCodes()).hasSize(1).containsAnyOf(0, 16);
        } finally {
            closeQuietly(client);
        }
    }

    @Test
    void wrongPasswordIsRefusedWithReasonCode134() {
        assertThatThrownBy(() -> connect("lobby-01", "lobby-01", "wrong"))
                .isInstanceOf(MqttException.class)
                .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(134));
        assertThat(broker.refusedConnects()).isPositive();
    }

    @Test
    void clientIdOtherThanTheDeviceIdIsRefusedWithReasonCode133() {
        assertThatThrownBy(() -> connect("someone-else", "lobby-01", "right-secret"))
                .isInstanceOf(MqttException.class)
                .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(133));
    }

    @Test
    void publishToAnotherDevicesTopicIsRefusedWithPubAck135AndTheConnectionClosed() throws MqttException {
        MqttAsyncClient client = connect("lobby-01", "lobby-01", "right-secret");
        try {
            long before = broker.refusedPublishes();
            IMqttToken token = client.publish("dt/signage/lobby-02/status", message("{}", 1));
            token.waitForCompletion(10_000);
            assertThat(token.getReasonCodes()).containsOnly(135);
            assertThat(broker.refusedPublishes()).isEqualTo(before + 1);
            // Like AWS IoT Core, the broker then closes the connection of a client that broke the policy.
            await().atMost(Duration.ofSeconds(10)).until(() -> !client.isConnected());
        } finally {
            closeQuietly(client);
        }
    }

    @Test
    void deviceSubscribesToItsOwnAndItsGroupsCommandsOnly() throws MqttException {
        MqttAsyncClient client = connect("lobby-01", "lobby-01", "right-secret");
        try {
            IMqttToken own = client.subscribe(new MqttSubscription[] {
                    new MqttSubscription("cmd/signage/lobby-01/#", 1),
                    new MqttSubscription("cmd/signage/group/tokyo-east/#", 1)});
            own.waitForCompletion(10_000);
            assertThat(own.getReasonCodes()).containsExactly(1, 1);
            IMqttToken other = client.subscribe(new MqttSubscription[] {
                    new MqttSubscription("cmd/signage/lobby-02/#", 1),
                    new MqttSubscription("cmd/signage/group/osaka/#", 1),
                    new MqttSubscription("cmd/signage/#", 1),
                    new MqttSubscription("$share/telemetry/dt/signage/+/status", 1)});
            other.waitForCompletion(10_000);
            assertThat(other.getReasonCodes()).containsExactly(135, 135, 135, 135);
        } finally {
            closeQuietly(client);
        }
    }

    @Test
    void serviceMayUseItsSharedSubscriptionButNotOthers() throws MqttException {
        MqttAsyncClient client = connect("svc-test-1", "svc-test", "service-secret");
        try {
            IMqttToken token = client.subscribe(new MqttSubscription[] {
                    new MqttSubscription("$share/telemetry/dt/signage/+/status", 1),
                    new MqttSubscription("$share/other/dt/signage/+/status", 1),
                    new MqttSubscription("dt/signage/+/status", 1)});
            token.waitForCompletion(10_000);
            assertThat(token.getReasonCodes()).containsExactly(1, 135, 135);
        } finally {
            closeQuietly(client);
        }
    }

    @Test
    void qos2PublishIsDeliveredAtMostAtQos1() throws Exception {
        Mqtt5BlockingClient subscriber = Mqtt5Client.builder()
                .identifier("svc-watch")
                .serverHost("127.0.0.1")
                .serverPort(broker.port())
                .simpleAuth().username("svc-test").password("service-secret".getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        subscriber.connect();
        MqttAsyncClient device = connect("lobby-01", "lobby-01", "right-secret");
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = subscriber.publishes(MqttGlobalPublishFilter.ALL)) {
            subscriber.subscribeWith().topicFilter("$share/telemetry/dt/signage/+/status").qos(MqttQos.EXACTLY_ONCE).send();
            device.publish("dt/signage/lobby-01/status", message("{\"q\":2}", 2)).waitForCompletion(10_000);
            Optional<Mqtt5Publish> received = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(received).isPresent();
            assertThat(received.get().getQos().getCode()).isLessThanOrEqualTo(1);
        } finally {
            closeQuietly(device);
            subscriber.disconnect();
        }
    }

    @Test
    void packetLargerThan128KbIsRefused() throws MqttException {
        MqttAsyncClient client = connect("lobby-01", "lobby-01", "right-secret");
        try {
            byte[] big = new byte[130 * 1024];
            assertThatThrownBy(() -> client.publish("dt/signage/lobby-01/status", new MqttMessage(big, 1, false, null)).waitForCompletion(10_000))
                    .isInstanceOf(MqttException.class);
        } finally {
            closeQuietly(client);
        }
    }

    private static void closeQuietly(MqttAsyncClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(10_000);
            }
            client.close();
        } catch (MqttException e) {
            // the test outcome is already decided
        }
    }

    private static MqttMessage message(String payload, int qos) {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(qos);
        return message;
    }
}
