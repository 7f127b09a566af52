package dev.signagefleet.benchmarks.fleet;

import com.codahale.metrics.Gauge;
import dev.signagefleet.benchmarks.Figures;
import dev.signagefleet.benchmarks.Scenario;
import dev.signagefleet.benchmarks.ingest.HistoryCheck;
import dev.signagefleet.benchmarks.ingest.Readings;
import dev.signagefleet.benchmarks.ingest.TelemetryBench;
import dev.signagefleet.telemetry.TelemetryConsumer;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 7, scenario 2: fleet size. A separate JVM ({@link FleetConnections}) holds N terminal
 * connections with a heartbeat to the broker, which the telemetry consumer stores into durable
 * PostgreSQL, for a few minutes; then the broker is restarted, every connection drops at once and
 * the terminals come back with jitter. Measured: the broker's memory per connection (live heap of
 * the broker's JVM against the same JVM before the fleet connected), the consumer's lag while the
 * fleet is held, and the time until the terminals are connected again (the broker's side, the
 * baseline) and until the fleet shows every terminal online again (the product's side). Every
 * acknowledged heartbeat must be in the history.
 */
public final class FleetSizeBenchmark implements Scenario {

    private record Size(int connections, Duration heartbeat, Duration hold, Duration reconnectMax) {
    }

    private static final String PREFIX = "fleet-";

    @Override
    public String id() {
        return "fleet-size";
    }

    @Override
    public Map<String, Object> run(Mode mode) throws Exception {
        Size size = mode == Mode.FULL
                ? new Size(Integer.getInteger("bench.fleet.connections", 10_000),
                        Duration.ofSeconds(Long.getLong("bench.fleet.heartbeatSec", 30)),
                        Duration.ofSeconds(Long.getLong("bench.fleet.holdSec", 180)), Duration.ofSeconds(10))
                : new Size(100, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(2));
        Map<String, Object> result = new LinkedHashMap<>();
        String boot = "fleet-" + UUID.randomUUID();
        try (TelemetryBench bench = TelemetryBench.start("fleet", size.heartbeat())) {
            for (int i = 0; i < size.connections(); i++) {
                bench.accounts().addDevice(PREFIX + i, "fleet", TelemetryBench.PASSWORD);
            }
            TelemetryConsumer consumer = bench.startConsumer();
            long heapBefore = Readings.liveHeapBytes();
            Map<String, Object> memoryBefore = Readings.memory();
            Path seqFile = Files.createTempFile("signage-bench-fleet-", ".seqs");
            Child child = Child.start(bench.brokerPort(), size, boot, seqFile);
            try {
                long t0 = System.nanoTime();
                long connectedMs = child.awaitConnected(size.connections(), Duration.ofMinutes(5)) ;
                long onlineMs = awaitOnline(bench, size.connections(), 1, t0, Duration.ofMinutes(5));
                System.out.printf("   fleet: %d connected after %d ms, all online in the fleet after %d ms%n",
                        size.connections(), connectedMs, onlineMs);

                // hold: sample the broker JVM, the broker and the consumer
                java.time.Instant heldFrom = java.time.Instant.now();
                long holdStart = System.nanoTime();
                int maxQueue = 0;
                long maxBrokerConnections = 0;
                while (System.nanoTime() - holdStart < size.hold().toNanos()) {
                    maxQueue = Math.max(maxQueue, consumer.ingest().queued());
                    maxBrokerConnections = Math.max(maxBrokerConnections, brokerConnections(bench));
                    Thread.sleep(200);
                }
                long heapHeld = Readings.liveHeapBytes();
                Map<String, Object> memoryHeld = Readings.memory();
                long ackedBeforeStorm = child.acked();

                // storm: the broker restarts, every connection drops at once
                java.time.Instant stormAt = java.time.Instant.now();
                bench.stopBroker();
                Thread.sleep(2_000);
                bench.startBroker();
                long back = System.nanoTime();
                long reconnectedMs = child.awaitConnected(size.connections(), Duration.ofMinutes(5)) ;
                long reconnectedAfterBackMs = TimeUnit.NANOSECONDS.toMillis(child.connectedAt() - back);
                long onlineAgainMs = awaitOnline(bench, size.connections(), 2, back, Duration.ofMinutes(5));
                System.out.printf("   fleet storm: all reconnected %d ms, all online again in the fleet %d ms after the broker was back%n",
                        reconnectedAfterBackMs, onlineAgainMs);

                List<String> lost = child.stopAndCheck(bench, boot);
                Map<String, Object> loss = new LinkedHashMap<>();
                loss.put("heartbeatsAcknowledged", child.acked());
                loss.put("acknowledgedButNotStored", lost.size());
                loss.put("brokerDroppedMessages", bench.broker().droppedMessages());
                if (!lost.isEmpty() || bench.broker().droppedMessages() > 0) {
                    throw new IllegalStateException(lost.size() + " acknowledged heartbeats are not in the history, e.g. "
                            + lost.stream().limit(5).toList() + "; broker dropped " + bench.broker().droppedMessages());
                }

                Map<String, Object> compared = new LinkedHashMap<>();
                compared.put("connections", Figures.compared("connections held", maxBrokerConnections - 1, (double) size.connections(),
                        "all " + size.connections() + " (+ the consumer)", maxBrokerConnections - 1 >= size.connections()));
                compared.put("brokerHeapPerConnection", Figures.compared("KB live heap per connection",
                        (heapHeld - heapBefore) / 1024.0 / size.connections(), null, "(no target)", null));
                compared.put("reconnectStorm", Figures.compared("ms until all online in the fleet (baseline: all reconnected)",
                        onlineAgainMs, (double) reconnectedAfterBackMs, "(no target)", null));
                compared.put("lost", Figures.compared("heartbeats", lost.size(), 0.0, "0", lost.isEmpty()));
                result.put("compared", compared);
                result.put("sizes", Map.of("connections", size.connections(), "heartbeatSeconds", size.heartbeat().toSeconds(),
                        "holdSeconds", size.hold().toSeconds(), "openFilesLimit", openFilesLimit()));
                double perConnectionKb = (heapHeld - heapBefore) / 1024.0 / size.connections();
                result.put("brokerMemory", Map.of(
                        "liveHeapBeforeMb", heapBefore / (1024 * 1024),
                        "liveHeapWithFleetMb", heapHeld / (1024 * 1024),
                        "liveHeapPerConnectionKb", Figures.round(perConnectionKb),
                        "processBefore", memoryBefore,
                        "processWithFleet", memoryHeld,
                        "note", "the broker's JVM also runs the consumer and its pool; the difference is what the fleet adds"));
                result.put("firstConnect", Map.of("allConnectedMs", connectedMs, "allOnlineInFleetMs", onlineMs));
                result.put("whileHeld", Map.of(
                        "brokerConnectionsMax", maxBrokerConnections,
                        "consumerBacklogMax", maxQueue,
                        "heartbeatsPerSecond", Figures.round(
                                size.connections() / (double) size.heartbeat().toSeconds()),
                        "heartbeatsAcknowledgedBeforeStorm", ackedBeforeStorm,
                        "consumerLagSentToCommittedMs", Readings.latencyMs(
                                new HistoryCheck(bench.jdbi()).sentToCommitted(boot, heldFrom, stormAt)),
                        "consumerLagWhileComingOnlineMs", Readings.latencyMs(
                                new HistoryCheck(bench.jdbi()).sentToCommitted(boot, java.time.Instant.EPOCH, heldFrom)),
                        "consumerLagIncludingStormMs", Readings.latencyMs(new HistoryCheck(bench.jdbi()).sentToCommitted(boot))));
                result.put("reconnectStorm", Map.of(
                        "baselineAllReconnectedMs", reconnectedAfterBackMs,
                        "allOnlineInFleetMs", onlineAgainMs,
                        "ratio", Figures.round(onlineAgainMs / (double) Math.max(1, reconnectedAfterBackMs)),
                        "note", "from the broker's start after a 2 s outage; terminals reconnect after 0.5 s doubling to " + size.reconnectMax().toSeconds() + " s, with jitter"));
                result.put("loss", loss);
                result.put("loadGenerator", Map.of("process", "separate JVM (-Xmx2g), HiveMQ MQTT client, one shared event loop",
                        "childHeapMb", child.heapMb()));
                result.put("notes", List.of(
                        "online in the fleet = device_state.connectivity online with the presence of that connection (conn >= 1, after the storm conn >= 2)",
                        "consumer lag = each heartbeat's sentAt to the commit of its history row, for heartbeats sent while the whole fleet was online and held (after the first connect, before the storm); 'while coming online' counts the heartbeats sent while the fleet's first presences were being stored; 'including the storm' also those that waited in the broker for the consumer to reconnect",
                        "a process may have " + openFilesLimit() + " open files here (hard limit, not raisable in this container):"
                                + " the fleet runs in its own JVM so the broker's and the clients' sockets are in different processes"));
            } finally {
                child.destroy();
                Files.deleteIfExists(seqFile);
            }
        }
        return result;
    }

    private static long brokerConnections(TelemetryBench bench) {
        var metric = bench.broker().metrics().getMetrics().get("com.hivemq.networking.connections.current");
        return metric instanceof Gauge<?> g && g.getValue() instanceof Number n ? n.longValue() : -1;
    }

    /** Waits until every terminal is online in device_state with at least connection {@code conn}; ms since {@code from}. */
    private static long awaitOnline(TelemetryBench bench, int count, int conn, long from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long online = bench.jdbi().withHandle(h -> h.createQuery("""
                            SELECT count(*) FROM device_state
                            WHERE device_id LIKE :prefix AND connectivity = 'online' AND presence_conn >= :conn
                            """).bind("prefix", PREFIX + "%").bind("conn", conn).mapTo(Long.class).one());
            if (online >= count) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - from);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + online + " of " + count + " terminals online in the fleet after "
                        + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private static String openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] parts = line.trim().split("\\s+");
                    return parts[3] + " soft / " + parts[4] + " hard";
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown";
    }

    /** The load generator's JVM and what it reports. */
    private static final class Child {
        private final Process process;
        private final Path seqFile;
        private final AtomicLong connected = new AtomicLong();
        private final AtomicLong acked = new AtomicLong();
        private final AtomicLong heapMb = new AtomicLong();
        private final AtomicLong allConnectedAt = new AtomicLong();
        private volatile boolean done;

        private Child(Process process, Path seqFile) {
            this.process = process;
            this.seqFile = seqFile;
        }

        static Child start(int port, Size size, String boot, Path seqFile) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx2g", "-XX:+UseParallelGC", "-cp", classpath(), FleetConnections.class.getName(),
                    String.valueOf(port), PREFIX, String.valueOf(size.connections()), TelemetryBench.PASSWORD,
                    String.valueOf(size.heartbeat().toMillis()), boot, seqFile.toString(), String.valueOf(size.reconnectMax().toMillis())));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Child child = new Child(process, seqFile);
            Thread reader = new Thread(() -> child.read(size.connections()), "fleet-child-output");
            reader.setDaemon(true);
            reader.start();
            return child;
        }

        private void read(int count) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("STATE ")) {
                        for (String part : line.substring(6).split(" ")) {
                            String[] kv = part.split("=");
                            long value = Long.parseLong(kv[1]);
                            switch (kv[0]) {
                                case "connected" -> {
                                    connected.set(value);
                                    if (value >= count) {
                                        allConnectedAt.compareAndSet(0, System.nanoTime());
                                    } else {
                                        allConnectedAt.set(0);
                                    }
                                }
                                case "acked" -> acked.set(value);
                                case "heapMb" -> heapMb.set(value);
                                default -> { }
                            }
                        }
                    } else if (line.equals("DONE")) {
                        done = true;
                    } else if (line.contains("ERROR") || line.contains("Exception")) {
                        System.out.println("   fleet load generator: " + line);
                    }
                }
            } catch (IOException e) {
                // the child ended
            }
        }

        /** Waits until the child reports {@code count} connected; ms since the call. */
        long awaitConnected(int count, Duration timeout) throws InterruptedException {
            long start = System.nanoTime();
            allConnectedAt.set(0);
            while (allConnectedAt.get() == 0) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the fleet load generator ended (exit " + process.exitValue() + ")");
                }
                if (System.nanoTime() - start > timeout.toNanos()) {
                    throw new IllegalStateException("only " + connected.get() + " of " + count + " terminals connected after "
                            + timeout.toSeconds() + " s");
                }
                Thread.sleep(50);
            }
            return TimeUnit.NANOSECONDS.toMillis(allConnectedAt.get() - start);
        }

        long connectedAt() {
            return allConnectedAt.get();
        }

        long acked() {
            return acked.get();
        }

        long heapMb() {
            return heapMb.get();
        }

        /** Stops the heartbeats, waits for the consumer to store them, returns the acknowledged ones not in the history. */
        List<String> stopAndCheck(TelemetryBench bench, String boot) throws Exception {
            Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            in.write("stop\n");
            in.flush();
            if (!process.waitFor(60, TimeUnit.SECONDS) || !done) {
                throw new IllegalStateException("the fleet load generator did not finish within 60 s");
            }
            Map<String, java.util.BitSet> expected = new LinkedHashMap<>();
            long total = 0;
            for (String line : Files.readAllLines(seqFile)) {
                String[] parts = line.split(" ");
                java.util.BitSet bits = new java.util.BitSet();
                for (int i = 1; i < parts.length; i++) {
                    bits.set(Integer.parseInt(parts[i]));
                }
                total += bits.cardinality();
                expected.put(parts[0], bits);
            }
            Map<String, java.util.BitSet> stored = new LinkedHashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            List<String> missing;
            do {
                stored.clear();
                bench.jdbi().useHandle(h -> h.createQuery("SELECT device_id, seq FROM status_history WHERE boot_id = :b")
                        .bind("b", boot).map((rs, ctx) -> {
                            stored.computeIfAbsent(rs.getString(1), d -> new java.util.BitSet()).set((int) rs.getLong(2));
                            return 0;
                        }).forEach(x -> { }));
                missing = new ArrayList<>();
                for (var e : expected.entrySet()) {
                    java.util.BitSet notStored = (java.util.BitSet) e.getValue().clone();
                    notStored.andNot(stored.getOrDefault(e.getKey(), new java.util.BitSet()));
                    for (int seq = notStored.nextSetBit(0); seq >= 0; seq = notStored.nextSetBit(seq + 1)) {
                        missing.add(e.getKey() + "#" + seq);
                    }
                }
                if (!missing.isEmpty()) {
                    Thread.sleep(500);
                }
            } while (!missing.isEmpty() && System.nanoTime() < deadline);
            acked.set(total);
            return missing;
        }

        void destroy() {
            process.destroy();
        }

        /** This JVM's classpath, also when it runs inside Maven or Surefire (a class loader's URLs, a manifest jar). */
        private static String classpath() {
            Set<String> parts = new LinkedHashSet<>(List.of(System.getProperty("java.class.path").split(File.pathSeparator)));
            for (ClassLoader cl = FleetConnections.class.getClassLoader(); cl != null; cl = cl.getParent()) {
                if (cl instanceof URLClassLoader urls) {
                    for (var url : urls.getURLs()) {
                        try {
                            parts.add(Paths.get(url.toURI()).toString());
                        } catch (URISyntaxException | IllegalArgumentException e) {
                            // not a file
                        }
                    }
                }
            }
            return String.join(File.pathSeparator, parts);
        }
    }
}
