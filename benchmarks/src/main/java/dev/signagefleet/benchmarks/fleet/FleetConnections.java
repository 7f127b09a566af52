package dev.signagefleet.benchmarks.fleet;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.signagefleet.benchmarks.ingest.StatusPublishers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fleet-size load: a separate JVM (a process may hold only so many sockets, see BENCHMARKS.md)
 * holding one MQTT 5 connection per terminal through the HiveMQ client on one shared event loop.
 * Each terminal connects with a Last Will (offline presence), says online (retained, with a
 * connection counter) on every connect, sends a status every heartbeat and reconnects by itself
 * with jitter (0.5 s doubling to the given maximum) when its connection drops.
 * <p>
 * {@code FleetConnections port prefix count password heartbeatMs bootId seqFile reconnectMaxMs}; prints
 * {@code STATE connected=… acked=… failed=…} twice a second; on the line {@code stop} on standard
 * input it stops the heartbeats, writes every acknowledged seq per device to {@code seqFile},
 * disconnects and prints {@code DONE}.
 */
public final class FleetConnections {

    private final List<String> ids = new ArrayList<>();
    private final List<Mqtt5AsyncClient> clients = new ArrayList<>();
    private final List<BitSet> acked = new ArrayList<>();
    private final AtomicLong[] nextSeq;
    private final AtomicLong ackCount = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final String bootId;

    private FleetConnections(int port, String prefix, int count, String password, String bootId, long reconnectMaxMs) {
        this.bootId = bootId;
        this.nextSeq = new AtomicLong[count];
        for (int i = 0; i < count; i++) {
            String id = prefix + i;
            ids.add(id);
            acked.add(new BitSet());
            nextSeq[i] = new AtomicLong();
            AtomicInteger conn = new AtomicInteger();
            var holder = new java.util.concurrent.atomic.AtomicReference<Mqtt5AsyncClient>();
            Mqtt5AsyncClient client = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(port)
                    .simpleAuth().username(id).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                    .automaticReconnect().initialDelay(500, TimeUnit.MILLISECONDS).maxDelay(reconnectMaxMs, TimeUnit.MILLISECONDS)
                    .applyAutomaticReconnect()
                    .addConnectedListener(ctx -> holder.get().publishWith().topic("dt/signage/" + id + "/presence").qos(MqttQos.AT_LEAST_ONCE)
                                .retain(true).payload(presence(id, true, conn.incrementAndGet())).send())
                    .buildAsync();
            holder.set(client);
            clients.add(client);
        }
    }

    private byte[] presence(String id, boolean online, int conn) {
        return String.format(Locale.ROOT,
                "{\"v\":1,\"deviceId\":\"%s\",\"bootId\":\"%s\",\"state\":\"%s\",\"at\":\"%s\",\"conn\":%d,\"reason\":\"%s\"}",
                id, bootId, online ? "online" : "offline", Instant.now(), conn, online ? "connected" : "connection-lost")
                .getBytes(StandardCharsets.UTF_8);
    }

    private void connectAll() throws InterruptedException {
        Semaphore connecting = new Semaphore(500); // the broker authenticates a few hundred at a time anyway
        for (int i = 0; i < clients.size(); i++) {
            connecting.acquire();
            String id = ids.get(i);
            clients.get(i).connectWith().keepAlive(60).cleanStart(true)
                    .willPublish().topic("dt/signage/" + id + "/presence").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                    .payload(presence(id, false, 1)).applyWillPublish()
                    .send().whenComplete((ack, error) -> connecting.release());
        }
    }

    private void heartbeat(int i) {
        Mqtt5AsyncClient client = clients.get(i);
        if (!client.getState().isConnected()) {
            return; // a terminal without a connection buffers; this load generator just skips the beat
        }
        String id = ids.get(i);
        long seq = nextSeq[i].incrementAndGet();
        pending.incrementAndGet();
        client.publishWith().topic("dt/signage/" + id + "/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(StatusPublishers.statusJson(id, bootId, seq, Instant.now()).getBytes(StandardCharsets.UTF_8))
                .send().whenComplete((result, error) -> {
                    if (error == null && result.getError().isEmpty()) {
                        BitSet bits = acked.get(i);
                        synchronized (bits) {
                            bits.set((int) seq);
                        }
                        ackCount.incrementAndGet();
                    } else {
                        failures.incrementAndGet();
                    }
                    pending.decrementAndGet();
                });
    }

    private void writeAcked(Path file) throws IOException {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
            for (int i = 0; i < ids.size(); i++) {
                BitSet bits = acked.get(i);
                StringBuilder line = new StringBuilder(ids.get(i));
                synchronized (bits) {
                    bits.stream().forEach(seq -> line.append(' ').append(seq));
                }
                out.println(line);
            }
        }
    }

    private String state() {
        long connected = clients.stream().filter(c -> c.getState().isConnected()).count();
        return "STATE connected=" + connected + " acked=" + ackCount.get() + " failed=" + failures.get()
                + " heapMb=" + (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / (1024 * 1024);
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        String password = args[3];
        long heartbeatMs = Long.parseLong(args[4]);
        String bootId = args[5];
        Path seqFile = Path.of(args[6]);
        long reconnectMaxMs = Long.parseLong(args[7]);
        FleetConnections fleet = new FleetConnections(port, prefix, count, password, bootId, reconnectMaxMs);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        timer.scheduleAtFixedRate(() -> System.out.println(fleet.state()), 0, 500, TimeUnit.MILLISECONDS);
        fleet.connectAll();
        for (int i = 0; i < count; i++) {
            int index = i;
            long offset = ThreadLocalRandom.current().nextLong(heartbeatMs);
            timer.scheduleAtFixedRate(() -> fleet.heartbeat(index), offset, heartbeatMs, TimeUnit.MILLISECONDS);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.trim().equals("stop")) {
            // wait for the parent's word
        }
        timer.shutdownNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (fleet.pending.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        fleet.writeAcked(seqFile);
        System.out.println(fleet.state());
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }
}
