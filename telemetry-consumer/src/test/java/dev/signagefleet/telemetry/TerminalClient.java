package dev.signagefleet.telemetry;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/** A real MQTT 5 connection with a device's credentials, publishing hand-made status and presence JSON. */
final class TerminalClient implements AutoCloseable {

    private final String deviceId;
    private final Mqtt5BlockingClient client;

    TerminalClient(int port, String deviceId, String password) {
        this.deviceId = deviceId;
        this.client = Mqtt5Client.builder()
                .identifier(deviceId)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .simpleAuth().username(deviceId).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        client.connect();
    }

    static String statusJson(String deviceId, String bootId, long seq, Instant sentAt) {
        return String.format(Locale.ROOT, """
                {"v":1,"deviceId":"%s","bootId":"%s","seq":%d,"sentAt":"%s","agentVersion":"1.0.0","uptimeSec":%d,
                 "cpuLoad":0.25,"memUsedMb":512,"memTotalMb":2048,"diskFreeMb":9000,"temperatureC":45.5,"display":"on",
                 "contentVersion":null,"ip":"10.0.0.7","os":"Linux 6.1.0 aarch64"}
                """, deviceId, bootId, seq, sentAt, seq * 30);
    }

    void status(String bootId, long seq, Instant sentAt) {
        publish("dt/signage/" + deviceId + "/status", statusJson(deviceId, bootId, seq, sentAt));
    }

    void presence(String bootId, boolean online, Instant at, int conn, String reason) {
        publish("dt/signage/" + deviceId + "/presence", String.format(Locale.ROOT,
                "{\"v\":1,\"deviceId\":\"%s\",\"bootId\":\"%s\",\"state\":\"%s\",\"at\":\"%s\",\"conn\":%d,\"reason\":\"%s\"}",
                deviceId, bootId, online ? "online" : "offline", at, conn, reason));
    }

    void publish(String topic, String payload) {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    void publish(String topic, byte[] payload) {
        client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
    }

    @Override
    public void close() {
        if (client.getState().isConnected()) {
            client.disconnect();
        }
    }
}
