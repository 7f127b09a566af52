package dev.signagefleet.benchmarks.ingest;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.signagefleet.testing.TestBrokerAccounts;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * The baseline's receiver: a shared subscription to every terminal's status topic that only counts
 * (and notes which seqs of which device arrived, and how long after their {@code sentAt}). Same
 * client library and receive window as the telemetry consumer; it acknowledges on arrival.
 */
public final class CountingSubscriber implements AutoCloseable {

    private final Mqtt5AsyncClient client;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lastReceivedNanos = new AtomicLong();
    private final Map<String, BitSet> seen = new ConcurrentHashMap<>();
    private final Recorder latencyMicros = new Recorder(3_600_000_000L, 3);
    private volatile String bootId = "";

    public CountingSubscriber(int port, int receiveMaximum) {
        client = Mqtt5Client.builder().identifier("bench-counter").serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username(TestBrokerAccounts.OBSERVER)
                .password(TestBrokerAccounts.OBSERVER_PASSWORD.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, this::count);
        client.connectWith().cleanStart(true).sessionExpiryInterval(0)
                .restrictions().receiveMaximum(receiveMaximum).applyRestrictions()
                .send().orTimeout(30, TimeUnit.SECONDS).join();
        // the observer account's shared group is "observers"
        var subAck = client.subscribeWith().topicFilter("$share/observers/dt/signage/+/status").qos(MqttQos.AT_LEAST_ONCE)
                .send().orTimeout(30, TimeUnit.SECONDS).join();
        if (subAck.getReasonCodes().get(0).isError()) {
            throw new IllegalStateException("the broker refused the counting subscription: " + subAck.getReasonCodes());
        }
    }

    /** Counts from now on for the run with this boot id (messages of other runs are counted but not noted). */
    public void expect(String bootId) {
        this.bootId = bootId;
        seen.clear();
        received.set(0);
        latencyMicros.reset();
    }

    private void count(Mqtt5Publish publish) {
        long nowMicros = micros(Instant.now());
        String payload = StandardCharsets.UTF_8.decode(publish.getPayload().orElseThrow()).toString();
        if (!bootId.equals(field(payload, "bootId"))) {
            return;
        }
        String device = field(payload, "deviceId");
        long seq = Long.parseLong(number(payload, "seq"));
        long sentMicros = micros(Instant.parse(field(payload, "sentAt")));
        latencyMicros.recordValue(Math.max(0, nowMicros - sentMicros));
        BitSet bits = seen.computeIfAbsent(device, d -> new BitSet());
        synchronized (bits) {
            bits.set((int) seq);
        }
        received.incrementAndGet();
        lastReceivedNanos.set(System.nanoTime());
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }

    private static String field(String json, String name) {
        int start = json.indexOf("\"" + name + "\":\"") + name.length() + 4;
        return json.substring(start, json.indexOf('"', start));
    }

    private static String number(String json, String name) {
        int start = json.indexOf("\"" + name + "\":") + name.length() + 3;
        int end = start;
        while (Character.isDigit(json.charAt(end))) {
            end++;
        }
        return json.substring(start, end);
    }

    public long received() {
        return received.get();
    }

    /** Waits until {@code count} messages of the run arrived, or {@code timeoutMs} passed without progress. */
    public boolean await(long count, long timeoutMs) throws InterruptedException {
        long last = -1;
        long lastProgress = System.nanoTime();
        while (received.get() < count) {
            long now = received.get();
            if (now != last) {
                last = now;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                return false;
            }
            Thread.sleep(2);
        }
        return true;
    }

    /** When the last message of the run arrived ({@link System#nanoTime()}). */
    public long lastReceivedNanos() {
        return lastReceivedNanos.get();
    }

    /** The devices' seqs that did not arrive: per device 1..lastSeq must all be there. */
    public long missing(StatusPublishers.Sent sent) {
        long missing = 0;
        for (int i = 0; i < sent.deviceIds().size(); i++) {
            BitSet bits = seen.getOrDefault(sent.deviceIds().get(i), new BitSet());
            synchronized (bits) {
                missing += sent.lastSeq()[i] - bits.get(1, (int) sent.lastSeq()[i] + 1).cardinality();
            }
        }
        return missing;
    }

    public org.HdrHistogram.Histogram latencies() {
        return latencyMicros.getIntervalHistogram();
    }

    @Override
    public void close() {
        try {
            client.disconnect().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
    }
}
