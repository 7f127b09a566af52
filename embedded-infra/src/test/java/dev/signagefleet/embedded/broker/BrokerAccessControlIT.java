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

    /** An MQTT 5 packet: type and flags, the remaining length as a variable byte integer, the rest. */
    private static byte[] packet(int typeAndFlags, byte[] rest) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(typeAndFlags);
        int length = rest.length;
        do {
            int digit = length % 128;
            length /= 128;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        out.writeBytes(rest);
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return new byte[] {(byte) (bytes.length >> 8), (byte) bytes.length};
    }

    private static byte[] field(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(utf8(s));
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void aClientThatIgnoresTheMaximumPacketSizeIsDisconnectedAndItsPacketGoesNowhere() throws Exception {
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        MqttAsyncClient observer = connect("svc-test", "svc-test", "service-secret");
        try {
            observer.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                @Override
                public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {
                }

                @Override
                public void mqttErrorOccurred(MqttException exception) {
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    seen.add(topic);
                }

                @Override
                public void deliveryComplete(IMqttToken token) {
                }

                @Override
                public void connectComplete(boolean reconnect, String serverURI) {
                }

                @Override
                public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {
                }
            });
            IMqttToken subscribed = observer.subscribe(new MqttSubscription[] {
                    new MqttSubscription("$share/telemetry/dt/signage/+/status", 1)});
            subscribed.waitForCompletion(10_000);
            assertThat(subscribed.getReasonCodes()).containsExactly(1);
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", Integer.parseInt(url.substring(url.lastIndexOf(':') + 1)))) {
                socket.setSoTimeout(10_000);
                var out = socket.getOutputStream();
                var in = socket.getInputStream();
                // CONNECT, MQTT 5, clean start + user name + password, keep-alive 30 s, no properties
                java.io.ByteArrayOutputStream connect = new java.io.ByteArrayOutputStream();
                connect.writeBytes(field("MQTT"));
                connect.writeBytes(new byte[] {5, (byte) 0xC2, 0, 30, 0});
                connect.writeBytes(field("lobby-01"));
                connect.writeBytes(field("lobby-01"));
                connect.writeBytes(field("right-secret"));
                out.write(packet(0x10, connect.toByteArray()));
                out.flush();
                assertThat(in.read()).as("CONNACK").isEqualTo(0x20);
                int connackLength = in.read();
                byte[] connack = in.readNBytes(connackLength);
                assertThat(connack[1]).as("CONNACK reason code").isEqualTo((byte) 0);
                // a small QoS 0 PUBLISH gets through (the observer works)…
                java.io.ByteArrayOutputStream small = new java.io.ByteArrayOutputStream();
                small.writeBytes(field("dt/signage/lobby-01/status"));
                small.write(0);
                small.writeBytes("{}".getBytes(StandardCharsets.UTF_8));
                out.write(packet(0x30, small.toByteArray()));
                out.flush();
                long until = System.nanoTime() + 10_000_000_000L;
                while (seen.isEmpty() && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertThat(seen).hasSize(1);
                // …a QoS 0 PUBLISH of 200 KB, over the 128 KB the CONNACK announced, does not
                java.io.ByteArrayOutputStream publish = new java.io.ByteArrayOutputStream();
                publish.writeBytes(field("dt/signage/lobby-01/status"));
                publish.write(0); // no properties
                publish.writeBytes(new byte[200 * 1024]);
                try {
                    out.write(packet(0x30, publish.toByteArray()));
                    out.flush();
                } catch (java.io.IOException closedWhileSending) {
                    // the broker may close the connection before it has read the whole packet
                }
                // the broker answers with DISCONNECT 0x95 (packet too large) or just closes the connection
                int first;
                try {
                    first = in.read();
                } catch (java.net.SocketException reset) {
                    first = -1;
                }
                if (first != -1) {
                    assertThat(first).as("DISCONNECT").isEqualTo(0xE0);
                    in.read(); // remaining length
                    assertThat(in.read()).as("reason code: packet too large").isEqualTo(0x95);
                }
            }
            // a marker sent after it arrives; the oversized one never did
            MqttAsyncClient marker = connect("lobby-02", "lobby-02", "other-secret");
            try {
                marker.publish("dt/signage/lobby-02/status", message("{}", 1)).waitForCompletion(10_000);
            } finally {
                closeQuietly(marker);
            }
            long until = System.nanoTime() + 10_000_000_000L;
            while (seen.size() < 2 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(seen).as("the oversized message reached nobody")
                    .containsExactly("dt/signage/lobby-01/status", "dt/signage/lobby-02/status");
        } finally {
            closeQuietly(observer);
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
