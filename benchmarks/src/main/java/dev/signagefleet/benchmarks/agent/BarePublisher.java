package dev.signagefleet.benchmarks.agent;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * The agent-footprint baseline: a bare Paho v5 client that connects and publishes a status-sized
 * message at QoS 1 every heartbeat, nothing else (no metrics, buffer, commands or content). Run as
 * {@code java FLAGS -cp paho.jar:bare.jar BarePublisher URL DEVICE_ID PASSWORD HEARTBEAT_SECONDS [--exit-after-first-publish]}.
 * With the last argument it exits after the first PUBACK, like the agent's
 * {@code --exit-after-first-status}: the training launch of its class-data sharing archive.
 */
public final class BarePublisher {

    /** The optional fifth argument: exit after the first PUBACK. */
    public static final String EXIT_AFTER_FIRST_PUBLISH = "--exit-after-first-publish";

    private BarePublisher() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String deviceId = args[1];
        String password = args[2];
        long heartbeatMs = (long) (Double.parseDouble(args[3]) * 1000);
        boolean exitAfterFirst = args.length > 4 && args[4].equals(EXIT_AFTER_FIRST_PUBLISH);
        MqttClient client = new MqttClient(url, deviceId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(deviceId);
        options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        options.setKeepAliveInterval(60);
        options.setCleanStart(true);
        client.connect(options);
        String bootId = UUID.randomUUID().toString();
        long started = System.nanoTime();
        for (long seq = 1; ; seq++) {
            String payload = "{\"v\":1,\"deviceId\":\"" + deviceId + "\",\"bootId\":\"" + bootId + "\",\"seq\":" + seq
                    + ",\"sentAt\":\"" + Instant.now() + "\",\"agentVersion\":\"bare\",\"uptimeSec\":"
                    + (System.nanoTime() - started) / 1_000_000_000L + ",\"cpuLoad\":0.12,\"memUsedMb\":612,"
                    + "\"memTotalMb\":2048,\"diskFreeMb\":10240,\"display\":\"on\",\"ip\":\"192.0.2.10\",\"os\":\"Linux\"}";
            MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            client.publish("dt/signage/" + deviceId + "/status", message); // returns after the PUBACK
            if (seq == 1) {
                System.out.println("first PUBACK");
                if (exitAfterFirst) {
                    client.disconnect();
                    client.close();
                    System.exit(0);
                }
            }
            Thread.sleep(heartbeatMs);
        }
    }
}
