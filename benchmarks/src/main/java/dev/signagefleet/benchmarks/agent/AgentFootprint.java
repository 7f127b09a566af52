package dev.signagefleet.benchmarks.agent;

import dev.signagefleet.benchmarks.Figures;
import dev.signagefleet.benchmarks.Scenario;
import dev.signagefleet.embedded.broker.BrokerConfig;
import dev.signagefleet.embedded.broker.EmbeddedBroker;
import dev.signagefleet.testing.FreePorts;
import dev.signagefleet.testing.TempDirs;
import dev.signagefleet.testing.TestBrokerAccounts;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;

/**
 * Scenario 5: the standalone agent ({@code device-agent.jar}) as a child process against the real
 * embedded broker, next to its baseline, a bare Paho publisher ({@link BarePublisher}) in a JVM with
 * the same flags. Measures launch → first status at the broker (several alternating launches), then
 * both side by side for the run's length: RSS, threads, CPU, heap (jcmd) and the jar's size.
 */
public final class AgentFootprint implements Scenario {

    /** The flags BENCHMARKS.md recommends for a terminal; both processes run with exactly these. */
    public static final List<String> TERMINAL_FLAGS = List.of("-Xmx24m", "-XX:+UseSerialGC", "-Xss256k",
            "-XX:TieredStopAtLevel=1");

    private static final String PASSWORD = "bench-device-secret";
    private static final Duration FIRST_PUBLISH_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, ConcurrentLinkedQueue<Long>> arrivals = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return "agent-footprint";
    }

    private record Sizes(double heartbeatSec, long runSeconds, long warmupSeconds, int launches, long sampleEveryMs) {
    }

    @Override
    public Map<String, Object> run(Mode mode) throws Exception {
        Sizes sizes = mode == Mode.FULL
                ? new Sizes(30, Long.getLong("bench.agent.seconds", 600), 15, 5, 5_000)
                : new Sizes(1, 3, 1, 0, 500);
        Path agentJar = agentJar();
        Path dir = Files.createTempDirectory("bench-agent-");
        TestBrokerAccounts accounts = new TestBrokerAccounts();
        EmbeddedBroker broker = EmbeddedBroker.start(BrokerConfig.defaults(FreePorts.next(), dir.resolve("broker"))
                .withBindAddress("127.0.0.1"), accounts);
        String url = "tcp://127.0.0.1:" + broker.port();
        MqttClient observer = observe(url);
        try {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("flags", TERMINAL_FLAGS);
            result.put("heartbeatSeconds", sizes.heartbeatSec());
            result.put("agentJarBytes", Files.size(agentJar));

            // Launch → first status seen by a subscriber, alternating so both meet the same noise.
            List<Double> agentFirst = new ArrayList<>();
            List<Double> bareFirst = new ArrayList<>();
            for (int i = 0; i < sizes.launches(); i++) {
                agentFirst.add(firstPublishMs(agent(agentJar, dir, url, "bench-agent-" + i, sizes, accounts)));
                bareFirst.add(firstPublishMs(bare(dir, url, "bench-bare-" + i, sizes, accounts)));
            }

            // Side by side for the run's length.
            Launched agent = agent(agentJar, dir, url, "bench-agent-run", sizes, accounts);
            Launched bare = bare(dir, url, "bench-bare-run", sizes, accounts);
            Map<String, Object> agentFigures;
            Map<String, Object> bareFigures;
            try {
                double agentReady = awaitFirst(agent);
                double bareReady = awaitFirst(bare);
                if (agentFirst.isEmpty()) {
                    // SMOKE: no separate launches; the side-by-side pair's first publish stands in.
                    agentFirst.add(agentReady);
                    bareFirst.add(bareReady);
                }
                Thread.sleep(sizes.warmupSeconds() * 1000);
                List<ProcessSample> agentSamples = new ArrayList<>();
                List<ProcessSample> bareSamples = new ArrayList<>();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(sizes.runSeconds());
                int countAtStart = arrivals(agent.deviceId()).size();
                while (System.nanoTime() < end) {
                    alive(agent);
                    alive(bare);
                    agentSamples.add(ProcessSample.of(agent.process().pid()));
                    bareSamples.add(ProcessSample.of(bare.process().pid()));
                    Thread.sleep(sizes.sampleEveryMs());
                }
                agentSamples.add(ProcessSample.of(agent.process().pid()));
                bareSamples.add(ProcessSample.of(bare.process().pid()));
                agentFigures = figures(agent, agentSamples);
                bareFigures = figures(bare, bareSamples);
                int expected = (int) (sizes.runSeconds() / sizes.heartbeatSec());
                int got = arrivals(agent.deviceId()).size() - countAtStart;
                agentFigures.put("statusesDuringRun", got);
                if (got < expected - 1) {
                    throw new IllegalStateException("the agent published " + got + " statuses in " + sizes.runSeconds()
                            + " s at a " + sizes.heartbeatSec() + " s heartbeat; expected at least " + (expected - 1)
                            + ". See its log in " + agent.log());
                }
            } finally {
                stop(agent);
                stop(bare);
            }
            result.put("firstPublishMs", Map.of("agent", Figures.summary(agentFirst), "bare", Figures.summary(bareFirst)));
            result.put("agent", agentFigures);
            result.put("bare", bareFigures);
            result.put("runSeconds", sizes.runSeconds());

            double rss = ((Number) agentFigures.get("rssMbMedian")).doubleValue();
            double bareRss = ((Number) bareFigures.get("rssMbMedian")).doubleValue();
            double cpu = ((Number) agentFigures.get("cpuPercent")).doubleValue();
            double bareCpu = ((Number) bareFigures.get("cpuPercent")).doubleValue();
            double first = Figures.medianOf(agentFirst);
            double bareFirstMedian = Figures.medianOf(bareFirst);
            boolean full = mode == Mode.FULL;
            Map<String, Object> compared = new LinkedHashMap<>();
            compared.put("rss", Figures.compared("MB", rss, bareRss, "≤ 1.15 × baseline", full ? rss <= 1.15 * bareRss : null));
            compared.put("cpu", Figures.compared("% of one core", cpu, bareCpu, "≤ 0.5 %", full ? cpu <= 0.5 : null));
            compared.put("firstPublish", Figures.compared("ms (median)", first, bareFirstMedian, "≤ 1000 ms",
                    full ? first <= 1000 : null));
            compared.put("threads", Figures.compared("threads", ((Number) agentFigures.get("threads")).doubleValue(),
                    ((Number) bareFigures.get("threads")).doubleValue(), "(no target)", null));
            compared.put("heapUsed", Figures.compared("MB", ((Number) agentFigures.get("heapUsedMb")).doubleValue(),
                    ((Number) bareFigures.get("heapUsedMb")).doubleValue(), "(no target)", null));
            result.put("compared", compared);
            return result;
        } finally {
            observer.disconnect();
            observer.close();
            broker.close();
            TempDirs.deleteQuietly(dir);
        }
    }

    private record Launched(String deviceId, Process process, long launchedAt, Path log) {
    }

    private MqttClient observe(String url) throws Exception {
        MqttClient client = new MqttClient(url, "bench-observer", new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(TestBrokerAccounts.OBSERVER);
        options.setPassword(TestBrokerAccounts.OBSERVER_PASSWORD.getBytes(StandardCharsets.UTF_8));
        client.connect(options);
        client.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                new org.eclipse.paho.mqttv5.common.MqttSubscription("dt/signage/+/status", 1)},
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(topic, message) -> {
                    long now = System.nanoTime();
                    arrivals(topic.split("/")[2]).add(now);
                }});
        return client;
    }

    private ConcurrentLinkedQueue<Long> arrivals(String deviceId) {
        return arrivals.computeIfAbsent(deviceId, id -> new ConcurrentLinkedQueue<>());
    }

    private Launched agent(Path jar, Path dir, String url, String deviceId, Sizes sizes, TestBrokerAccounts accounts)
            throws IOException {
        accounts.addDevice(deviceId, null, PASSWORD);
        Path home = Files.createDirectories(dir.resolve(deviceId));
        Path config = home.resolve("agent.properties");
        Files.writeString(config, String.join("\n",
                "device.id=" + deviceId,
                "mqtt.url=" + url,
                "mqtt.password=" + PASSWORD,
                "heartbeat.seconds=" + sizes.heartbeatSec(),
                "buffer.dir=" + home.resolve("buffer"),
                "content.dir=" + home.resolve("content")) + "\n");
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(TERMINAL_FLAGS);
        command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        return launch(deviceId, command, home);
    }

    private Launched bare(Path dir, String url, String deviceId, Sizes sizes, TestBrokerAccounts accounts) throws IOException {
        accounts.addDevice(deviceId, null, PASSWORD);
        Path home = Files.createDirectories(dir.resolve(deviceId));
        String classpath = location(org.eclipse.paho.mqttv5.client.MqttClient.class) + File.pathSeparator
                + location(BarePublisher.class);
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(TERMINAL_FLAGS);
        command.addAll(List.of("-cp", classpath, BarePublisher.class.getName(), url, deviceId, PASSWORD,
                Double.toString(sizes.heartbeatSec())));
        return launch(deviceId, command, home);
    }

    private Launched launch(String deviceId, List<String> command, Path home) throws IOException {
        Path log = home.resolve("process.log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        long launchedAt = System.nanoTime();
        return new Launched(deviceId, builder.start(), launchedAt, log);
    }

    private double firstPublishMs(Launched launched) throws Exception {
        try {
            return awaitFirst(launched);
        } finally {
            stop(launched);
        }
    }

    private double awaitFirst(Launched launched) throws Exception {
        long deadline = System.nanoTime() + FIRST_PUBLISH_TIMEOUT.toNanos();
        while (arrivals(launched.deviceId()).isEmpty()) {
            alive(launched);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(launched.deviceId() + " published no status within "
                        + FIRST_PUBLISH_TIMEOUT.toSeconds() + " s of its launch; see " + launched.log());
            }
            Thread.sleep(2);
        }
        return (arrivals(launched.deviceId()).peek() - launched.launchedAt()) / 1e6;
    }

    private static void alive(Launched launched) throws IOException {
        if (!launched.process().isAlive()) {
            throw new IllegalStateException(launched.deviceId() + " exited with status " + launched.process().exitValue()
                    + "; its output:\n" + Files.readString(launched.log()));
        }
    }

    private static void stop(Launched launched) throws InterruptedException {
        launched.process().destroy();
        if (!launched.process().waitFor(10, TimeUnit.SECONDS)) {
            launched.process().destroyForcibly().waitFor();
        }
    }

    private static Map<String, Object> figures(Launched launched, List<ProcessSample> samples) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Double> rss = samples.stream().map(s -> s.rssKb() / 1024.0).toList();
        m.put("rssMb", Figures.summary(rss));
        m.put("rssMbMedian", Figures.round(Figures.medianOf(rss)));
        m.put("peakRssMb", Figures.round(samples.get(samples.size() - 1).peakRssKb() / 1024.0));
        m.put("threads", samples.get(samples.size() - 1).threads());
        m.put("cpuPercent", Figures.round(ProcessSample.cpuPercent(samples.get(0), samples.get(samples.size() - 1))));
        m.put("cpuSecondsTotal", samples.get(samples.size() - 1).cpuTicks() / (double) ProcessSample.TICKS_PER_SECOND);
        Map<String, Double> heap = heap(launched.process().pid());
        m.put("heapUsedMb", heap.getOrDefault("heapUsedMb", Double.NaN));
        m.put("heapCommittedMb", heap.getOrDefault("heapCommittedMb", Double.NaN));
        m.put("metaspaceUsedMb", heap.getOrDefault("metaspaceUsedMb", Double.NaN));
        return m;
    }

    private static final Pattern GENERATION = Pattern.compile("generation\\s+total (\\d+)K, used (\\d+)K");
    private static final Pattern METASPACE = Pattern.compile("Metaspace\\s+used (\\d+)K");

    /** Heap and metaspace in use, from {@code jcmd PID GC.heap_info} (Serial GC's layout). */
    private static Map<String, Double> heap(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        Map<String, Double> m = new LinkedHashMap<>();
        Matcher g = GENERATION.matcher(out);
        long total = 0;
        long used = 0;
        while (g.find()) {
            total += Long.parseLong(g.group(1));
            used += Long.parseLong(g.group(2));
        }
        if (total > 0) {
            m.put("heapUsedMb", Figures.round(used / 1024.0));
            m.put("heapCommittedMb", Figures.round(total / 1024.0));
        }
        Matcher meta = METASPACE.matcher(out);
        if (meta.find()) {
            m.put("metaspaceUsedMb", Figures.round(Long.parseLong(meta.group(1)) / 1024.0));
        }
        return m;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + type.getName(), e);
        }
    }

    /** {@code device-agent/target/device-agent.jar} from the repository root or a module folder, or -Dbench.agentJar. */
    static Path agentJar() {
        String configured = System.getProperty("bench.agentJar");
        List<Path> candidates = configured != null ? List.of(Path.of(configured))
                : List.of(Path.of("device-agent", "target", "device-agent.jar"), Path.of("..", "device-agent", "target", "device-agent.jar"));
        return candidates.stream().filter(Files::isRegularFile).map(p -> p.toAbsolutePath().normalize()).findFirst().orElseThrow(() -> new IllegalStateException(
                "the standalone agent jar is not built (looked for " + candidates + "); build it with "
                        + "'mvn -B -q install -pl device-agent -DskipTests' or run benchmarks/run, which does"));
    }
}
