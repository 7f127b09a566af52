package dev.signagefleet.agent.connection;

import dev.signagefleet.agent.AgentException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.TimerPingSender;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * One MQTT connection: one Paho client, made for one connect attempt and closed when that
 * connection ends. A fresh client per connection keeps Paho's in-flight state from leaking into
 * the next one; the agent's own buffer decides what to send again.
 *
 * <p>Paho calls back on its own threads, where subscribing or disconnecting can deadlock. Every
 * callback is therefore handed to the agent's serial executor, and the agent acts there.
 */
public final class BrokerConnection {

    /** What happens to a connection, delivered on the agent's serial executor. */
    public interface Events {
        void connected(BrokerConnection connection, boolean sessionPresent);

        void connectFailed(BrokerConnection connection, Throwable cause);

        void lost(BrokerConnection connection, String reason);

        void messageArrived(BrokerConnection connection, String topic, byte[] payload, boolean retained);
    }

    /** The outcome of one QoS 1 publish, delivered on the agent's serial executor. */
    public interface PublishOutcome {
        /** The broker answered with a PUBACK; codes of 128 and above are refusals (135: not authorized). */
        void acknowledged(BrokerConnection connection, int reasonCode);

        /** No PUBACK will come on this connection (it broke, or the publish could not be sent). */
        void failed(BrokerConnection connection, Throwable cause);
    }

    /** The outcome of a SUBSCRIBE, delivered on the agent's serial executor. */
    public interface SubscribeOutcome {
        /** One reason code per filter: 0–2 is the granted QoS, 128 and above a refusal. */
        void granted(BrokerConnection connection, int[] reasonCodes);

        void failed(BrokerConnection connection, Throwable cause);
    }

    /** Paho's wait while it lets in-flight work finish on a clean disconnect. */
    private static final long QUIESCE_MS = 500;

    private final MqttAsyncClient client;
    private final Executor serial;
    private final Events events;

    private BrokerConnection(MqttAsyncClient client, Executor serial, Events events) {
        this.client = client;
        this.serial = serial;
        this.events = events;
    }

    /**
     * Starts connecting; the result arrives as {@link Events#connected} or {@link Events#connectFailed}.
     *
     * @param pingScheduler runs the keep-alive pings, so a thousand simulated agents share its threads
     *                      instead of starting a timer thread each
     */
    public static BrokerConnection open(String url, String clientId, MqttConnectionOptions options,
            ScheduledExecutorService pingScheduler, Executor serial, Events events) {
        MqttAsyncClient client;
        try {
            client = new MqttAsyncClient(url, clientId, new MemoryPersistence(), new TimerPingSender(pingScheduler), null);
        } catch (MqttException | IllegalArgumentException e) {
            throw new AgentException("cannot create an MQTT client for " + url + ": " + e, e); // the URL was validated
        }
        BrokerConnection connection = new BrokerConnection(client, serial, events);
        client.setCallback(connection.new Callback());
        try {
            client.connect(options, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    serial.execute(() -> events.connected(connection, token.getSessionPresent()));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    serial.execute(() -> events.connectFailed(connection, cause));
                }
            });
        } catch (MqttException | RuntimeException e) {
            serial.execute(() -> events.connectFailed(connection, e));
        }
        return connection;
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    /** Subscribes at QoS 1 (the most AWS IoT Core and our broker grant) to all {@code filters}. */
    public void subscribe(List<String> filters, SubscribeOutcome outcome) {
        MqttSubscription[] subscriptions = filters.stream().map(filter -> new MqttSubscription(filter, 1))
                .toArray(MqttSubscription[]::new);
        try {
            // Paho 1.2.5 throws a NullPointerException for null properties here
            client.subscribe(subscriptions, null, answered(filters, outcome), new MqttProperties());
        } catch (MqttException | RuntimeException e) {
            serial.execute(() -> outcome.failed(this, e));
        }
    }

    /**
     * Unsubscribes from {@code filters}; {@link SubscribeOutcome#granted} then carries the UNSUBACK's
     * reason codes (17: there was no such subscription, which is fine).
     */
    public void unsubscribe(List<String> filters, SubscribeOutcome outcome) {
        try {
            client.unsubscribe(filters.toArray(String[]::new), null, answered(filters, outcome), new MqttProperties());
        } catch (MqttException | RuntimeException e) {
            serial.execute(() -> outcome.failed(this, e));
        }
    }

    private MqttActionListener answered(List<String> filters, SubscribeOutcome outcome) {
        return new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                int[] codes = token.getReasonCodes() == null ? new int[filters.size()] : token.getReasonCodes();
                serial.execute(() -> outcome.granted(BrokerConnection.this, codes));
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
                serial.execute(() -> outcome.failed(BrokerConnection.this, cause));
            }
        };
    }

    /**
     * Publishes at QoS 1. Returns false when Paho refused to even queue it; the failure is then
     * also reported to {@code outcome}.
     */
    public boolean publish(String topic, byte[] payload, boolean retained, PublishOutcome outcome) {
        try {
            client.publish(topic, new MqttMessage(payload, 1, retained, new MqttProperties()), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int code = firstReasonCode(token);
                    serial.execute(() -> outcome.acknowledged(BrokerConnection.this, code));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    int code = firstReasonCode(token);
                    if (code >= 128) {
                        serial.execute(() -> outcome.acknowledged(BrokerConnection.this, code));
                    } else {
                        serial.execute(() -> outcome.failed(BrokerConnection.this, cause));
                    }
                }
            });
            return true;
        } catch (MqttException | RuntimeException e) {
            serial.execute(() -> outcome.failed(this, e));
            return false;
        }
    }

    /** Publishes at QoS 1 and waits for the PUBACK, for the last words of a clean stop. */
    public int publishAndWait(String topic, byte[] payload, boolean retained, Duration timeout) throws MqttException {
        IMqttToken token = client.publish(topic, new MqttMessage(payload, 1, retained, new MqttProperties()));
        token.waitForCompletion(timeout.toMillis());
        return firstReasonCode(token);
    }

    /** A clean DISCONNECT (the broker then drops the Last Will), bounded, then closes the client. */
    public void disconnect(Duration timeout) throws MqttException {
        try {
            client.disconnect(QUIESCE_MS).waitForCompletion(timeout.toMillis());
        } finally {
            close();
        }
    }

    /**
     * Drops the TCP connection without a DISCONNECT packet, as a power cut would: the broker
     * then publishes the Last Will. Also ends a connect attempt still in progress.
     */
    public void kill() {
        try {
            client.disconnectForcibly(0, 0, false);
        } catch (MqttException | RuntimeException e) {
            // already disconnected or never connected: either way the socket is gone
        }
        close();
    }

    /** Releases the client; the connection must already be over (lost, failed, disconnected). */
    public void close() {
        try {
            client.close(true);
        } catch (MqttException | RuntimeException e) {
            // a connect still in progress refuses to close: end it forcibly, then close
            try {
                client.disconnectForcibly(0, 0, false);
                client.close(true);
            } catch (MqttException | RuntimeException again) {
                // nothing left to release that Paho lets us release
            }
        }
    }

    private static int firstReasonCode(IMqttToken token) {
        int[] codes = token == null ? null : token.getReasonCodes();
        return codes == null || codes.length == 0 ? 0 : codes[0];
    }

    /** Paho's callbacks, forwarded to the serial executor. */
    private final class Callback implements MqttCallback {

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            String reason = describe(response);
            serial.execute(() -> events.lost(BrokerConnection.this, reason));
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            // protocol errors end in disconnected(), where they are reported
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            byte[] payload = message.getPayload();
            boolean retained = message.isRetained();
            serial.execute(() -> events.messageArrived(BrokerConnection.this, topic, payload, retained));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // outcomes are reported per publish through PublishOutcome
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            // handled through the connect token, on the serial executor
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // enhanced authentication is not used
        }
    }

    private static String describe(MqttDisconnectResponse response) {
        if (response == null) {
            return "connection lost";
        }
        if (response.getException() != null) {
            return Failures.describe(response.getException());
        }
        String reason = response.getReasonString();
        return "the broker disconnected with reason code " + response.getReturnCode()
                + (reason == null ? "" : " (" + reason + ")");
    }
}
