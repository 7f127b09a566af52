package dev.signagefleet.benchmarks.ingest;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator: one MQTT 5 connection per simulated terminal (HiveMQ async client, one shared
 * event loop, so it is not the bottleneck), each publishing numbered status messages at QoS 1 on its
 * own topic with its device credential. A run has its own boot id, so its seqs start at 1 for every
 * device and its rows can be found again in the history.
 */
public final class StatusPublishers implements AutoCloseable {

    /** Unacknowledged publishes per connection; the broker grants 100 (AWS IoT Core's limit). */
    private static final int IN_FLIGHT_PER_CONNECTION = 50;

    private final List<String> deviceIds;
    private final List<Mqtt5AsyncClient> clients = new ArrayList<>();

    /** What a run sent: per device the last seq (all 1..n acknowledged), and when it started and ended. */
    public record Sent(String bootId, List<String> deviceIds, long[] lastSeq, long acknowledged, Instant firstSent,
                       Instant lastAcknowledged) {
        public long total() {
            long sum = 0;
            for (long n : lastSeq) {
                sum += n;
            }
            return sum;
        }

        public double seconds() {
            return Duration.between(firstSent, lastAcknowledged).toNanos() / 1e9;
        }
    }

    public StatusPublishers(int port, List<String> deviceIds, String password) {
        this.deviceIds = List.copyOf(deviceIds);
        List<CompletableFuture<?>> connects = new ArrayList<>();
        for (String id : deviceIds) {
            Mqtt5AsyncClient client = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port)
                    .simpleAuth().username(id).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                    .buildAsync();
            clients.add(client);
            connects.add(client.connectWith().cleanStart(true).keepAlive(60).send());
        }
        CompletableFuture.allOf(connects.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
    }

    /** Sends {@code total} statuses round robin as fast as the in-flight window allows; returns when all are acknowledged. */
    public Sent saturate(String bootId, long total) throws InterruptedException {
        return run(bootId, total, Double.POSITIVE_INFINITY, Duration.ofDays(1));
    }

    /** Sends at {@code perSecond} for {@code duration}; returns when all are acknowledged. */
    public Sent paced(String bootId, double perSecond, Duration duration) throws InterruptedException {
        return run(bootId, Long.MAX_VALUE, perSecond, duration);
    }

    private Sent run(String bootId, long total, double perSecond, Duration duration) throws InterruptedException {
        int n = clients.size();
        Semaphore window = new Semaphore(n * IN_FLIGHT_PER_CONNECTION);
        long[] seq = new long[n];
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicReference<Instant> lastAck = new AtomicReference<>();
        Instant first = Instant.now();
        long startNanos = System.nanoTime();
        long endNanos = startNanos + duration.toNanos();
        long sent = 0;
        int next = 0;
        while (sent < total && failure.get() == null) {
            long now = System.nanoTime();
            if (now >= endNanos) {
                break;
            }
            if (perSecond != Double.POSITIVE_INFINITY) {
                long due = (long) ((now - startNanos) / 1e9 * perSecond);
                if (sent >= due) {
                    LockSupport.parkNanos(200_000);
                    continue;
                }
            }
            window.acquire();
            int i = next;
            next = (next + 1) % n;
            long s = ++seq[i];
            sent++;
            String id = deviceIds.get(i);
            clients.get(i).publishWith().topic("dt/signage/" + id + "/status").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(statusJson(id, bootId, s, Instant.now()).getBytes(StandardCharsets.UTF_8))
                    .send()
                    .whenComplete((result, error) -> {
                        String problem = problem(result, error);
                        if (problem != null) {
                            failure.compareAndSet(null, id + " seq " + s + ": " + problem);
                        } else {
                            acknowledged.incrementAndGet();
                            lastAck.set(Instant.now());
                        }
                        window.release();
                    });
        }
        long expected = sent;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (acknowledged.get() < expected && failure.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a status was not accepted by the broker: " + failure.get());
        }
        if (acknowledged.get() < expected) {
            throw new IllegalStateException("the broker acknowledged only " + acknowledged.get() + " of " + expected
                    + " statuses within 60 s after the last was sent");
        }
        return new Sent(bootId, deviceIds, seq, acknowledged.get(), first, lastAck.get());
    }

    private static String problem(Mqtt5PublishResult result, Throwable error) {
        if (error != null) {
            return error.toString();
        }
        if (result.getError().isPresent()) {
            return result.getError().get().toString();
        }
        if (result instanceof Mqtt5PublishResult.Mqtt5Qos1Result qos1 && qos1.getPubAck().getReasonCode().isError()) {
            return "PUBACK " + qos1.getPubAck().getReasonCode();
        }
        return null;
    }

    /** The status payload of the contract (as an agent sends it), with {@code sentAt} at microsecond precision. */
    public static String statusJson(String deviceId, String bootId, long seq, Instant sentAt) {
        return String.format(Locale.ROOT, "{\"v\":1,\"deviceId\":\"%s\",\"bootId\":\"%s\",\"seq\":%d,\"sentAt\":\"%s\","
                        + "\"agentVersion\":\"1.0.0\",\"uptimeSec\":%d,\"cpuLoad\":0.25,\"memUsedMb\":512,\"memTotalMb\":2048,"
                        + "\"diskFreeMb\":9000,\"temperatureC\":45.5,\"display\":\"on\",\"contentVersion\":null,"
                        + "\"ip\":\"10.0.0.7\",\"os\":\"Linux 6.1.0 aarch64\"}",
                deviceId, bootId, seq, sentAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS), seq * 30);
    }

    @Override
    public void close() {
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (Mqtt5AsyncClient client : clients) {
            if (client.getState().isConnected()) {
                all.add(client.disconnect());
            }
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closing anyway
        }
    }
}
