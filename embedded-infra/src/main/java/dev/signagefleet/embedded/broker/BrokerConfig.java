package dev.signagefleet.embedded.broker;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the embedded MQTT broker. The limits default to what AWS IoT Core enforces, so code
 * that works locally also works there.
 *
 * @param bindAddress          interface to listen on (0.0.0.0 so terminals on the LAN can connect)
 * @param port                 MQTT TCP port
 * @param directory            holds conf/, data/ (sessions, queues, retained messages) and extensions/
 * @param maxQueueSize         messages queued per client and per shared subscription before the broker
 *                             drops; sized for the fleet so a paused consumer loses nothing
 * @param maxSessionExpirySec  cap on a client's session expiry (AWS IoT allows up to 7 days)
 * @param maxPacketSize        largest MQTT packet in bytes (AWS IoT: 128 KB)
 * @param serverReceiveMaximum unacknowledged QoS 1 publishes a client may have in flight (AWS IoT: 100)
 * @param outgoingWindow       unacknowledged QoS 1 messages the broker sends a client at once, at most the
 *                             client's own receive maximum (HiveMQ CE's built-in 50 made the telemetry
 *                             consumer commit at most 50 statuses per transaction: BENCHMARKS.md, ingest)
 * @param tls                  the optional mutual-TLS listener (null: none)
 */
public record BrokerConfig(
        String bindAddress,
        int port,
        Path directory,
        long maxQueueSize,
        long maxSessionExpirySec,
        int maxPacketSize,
        int serverReceiveMaximum,
        int outgoingWindow,
        TlsListener tls) {

    /**
     * A TLS listener that requires a client certificate signed by the trust store's CA; the broker
     * then takes the certificate's CN as the device id (the AWS IoT Core model, see {@link LocalPki}).
     *
     * @param keyStore   PKCS#12 with the broker's key and certificate
     * @param trustStore PKCS#12 with the CA that signs device certificates
     */
    public record TlsListener(int port, Path keyStore, Path trustStore, String password) {
        public TlsListener {
            Objects.requireNonNull(keyStore, "keyStore");
            Objects.requireNonNull(trustStore, "trustStore");
            Objects.requireNonNull(password, "password");
        }
    }

    public static final long DEFAULT_MAX_QUEUE_SIZE = 1_000_000;
    public static final long DEFAULT_MAX_SESSION_EXPIRY_SEC = 7L * 24 * 3600;
    public static final int AWS_IOT_MAX_PACKET_SIZE = 128 * 1024;
    public static final int AWS_IOT_RECEIVE_MAXIMUM = 100;
    /**
     * Twice the consumer's batch (500), so a whole batch is in hand while the next one arrives; the
     * consumer's receive maximum (2,000) still bounds its memory. Durability is the same: every
     * message stays in the broker until the consumer acknowledges it after its commit.
     */
    public static final int DEFAULT_OUTGOING_WINDOW = 1_000;

    public BrokerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(directory, "directory");
        if (maxQueueSize < 1) {
            throw new IllegalArgumentException("maxQueueSize must be positive");
        }
        if (outgoingWindow < 1 || outgoingWindow > 65_535) {
            throw new IllegalArgumentException("outgoingWindow must be 1..65535, was " + outgoingWindow);
        }
    }

    public static BrokerConfig defaults(int port, Path directory) {
        return new BrokerConfig("0.0.0.0", port, directory, DEFAULT_MAX_QUEUE_SIZE,
                DEFAULT_MAX_SESSION_EXPIRY_SEC, AWS_IOT_MAX_PACKET_SIZE, AWS_IOT_RECEIVE_MAXIMUM, DEFAULT_OUTGOING_WINDOW, null);
    }

    public BrokerConfig withMaxQueueSize(long size) {
        return new BrokerConfig(bindAddress, port, directory, size, maxSessionExpirySec, maxPacketSize, serverReceiveMaximum, outgoingWindow, tls);
    }

    public BrokerConfig withBindAddress(String address) {
        return new BrokerConfig(address, port, directory, maxQueueSize, maxSessionExpirySec, maxPacketSize, serverReceiveMaximum, outgoingWindow, tls);
    }

    /** Adds the mutual-TLS listener. */
    public BrokerConfig withTls(TlsListener listener) {
        return new BrokerConfig(bindAddress, port, directory, maxQueueSize, maxSessionExpirySec, maxPacketSize,
                serverReceiveMaximum, outgoingWindow, listener);
    }

    public BrokerConfig withOutgoingWindow(int window) {
        return new BrokerConfig(bindAddress, port, directory, maxQueueSize, maxSessionExpirySec, maxPacketSize,
                serverReceiveMaximum, window, tls);
    }

    /** The HiveMQ {@code config.xml} for these settings. */
    String toXml() {
        return """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener>
                      <port>%d</port>
                      <bind-address>%s</bind-address>
                    </tcp-listener>%s
                  </listeners>
                  <mqtt>
                    <queued-messages>
                      <max-queue-size>%d</max-queue-size>
                      <strategy>discard</strategy>
                    </queued-messages>
                    <quality-of-service>
                      <max-qos>1</max-qos>
                    </quality-of-service>
                    <session-expiry>
                      <max-interval>%d</max-interval>
                    </session-expiry>
                    <message-expiry>
                      <max-interval>604800</max-interval>
                    </message-expiry>
                    <keep-alive>
                      <max-keep-alive>1200</max-keep-alive>
                      <allow-unlimited>false</allow-unlimited>
                    </keep-alive>
                    <packets>
                      <max-packet-size>%d</max-packet-size>
                    </packets>
                    <receive-maximum>
                      <server-receive-maximum>%d</server-receive-maximum>
                    </receive-maximum>
                  </mqtt>
                  <restrictions>
                    <max-client-id-length>128</max-client-id-length>
                    <max-topic-length>256</max-topic-length>
                  </restrictions>
                  <security>
                    <allow-empty-client-id>
                      <enabled>false</enabled>
                    </allow-empty-client-id>
                  </security>
                  <persistence>
                    <mode>file</mode>
                  </persistence>
                  <anonymous-usage-statistics>
                    <enabled>false</enabled>
                  </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, bindAddress, tlsXml(), maxQueueSize, maxSessionExpirySec, maxPacketSize, serverReceiveMaximum);
    }

    private String tlsXml() {
        if (tls == null) {
            return "";
        }
        return """

                    <tls-tcp-listener>
                      <port>%d</port>
                      <bind-address>%s</bind-address>
                      <tls>
                        <protocols><protocol>TLSv1.3</protocol><protocol>TLSv1.2</protocol></protocols>
                        <keystore><path>%s</path><password>%s</password><private-key-password>%s</private-key-password></keystore>
                        <truststore><path>%s</path><password>%s</password></truststore>
                        <client-authentication-mode>REQUIRED</client-authentication-mode>
                      </tls>
                    </tls-tcp-listener>""".formatted(tls.port(), bindAddress, xml(tls.keyStore().toString()), xml(tls.password()),
                xml(tls.password()), xml(tls.trustStore().toString()), xml(tls.password()));
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
