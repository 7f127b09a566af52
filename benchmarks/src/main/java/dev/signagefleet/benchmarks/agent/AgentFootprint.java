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
import java.io.OutputStream;
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
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;

/**
 * Scenario 5: the standalone agent ({@code device-agent.jar}) as a child process against the real
 * embedded broker, next to its baseline, a bare Paho publisher ({@link BarePublisher}) in a JVM with
 * the same flags. Measures launch → first status at the broker (several alternating launches), each
 * without and with a class-data sharing archive of its own, made in the same run by a training launch
 * ({@code -XX:ArchiveClassesAtExit}, the agent with {@code --exit-after-first-status}, the bare client
 * with its equivalent); then both side by side for the run's length, with their archives: RSS,
 * threads, CPU, heap (jcmd) and the jar's size.
 *
 * <p>{@code -Dbench.agent.firstPublishOnly=true} measures the launches only (a minute instead of
 * eleven, for iterating on the start); {@code -Dbench.agent.launches=N} sets their number.
 */
public final class AgentFootprint implements Scenario {

    /** The flags BENCHMARKS.md recommends for a terminal; both processes run with exactly these. */
    public static final List<String> TERMINAL_FLAGS = List.of("-Xmx24m", "-XX:+UseSerialGC", "-Xss256k",
            "-XX:TieredStopAtLevel=1");

    private static final String PASSWORD = "bench-device-secret";
    private static final Duration FIRST_PUBLISH_TIMEOUT = Duration.ofSeconds(60);
    /** A training launch connects, publishes once and stops: far less than this. */
    private static final Duration TRAINING_TIMEOUT = Duration.ofSeconds(120);

    private final Map<String, ConcurrentLinkedQueue<Long>> arrivals = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return "agent-footprint";
    }

    /**
     * @param launches        separate launches of each without an archive
     * @param archiveLaunches separate launches of each with its archive
     */
    private record Sizes(double heartbeatSec, long runSeconds, long warmupSeconds, int launches, int archiveLaunches,
            long sampleEveryMs) {
    }

    /** The two archives of a run and what making them took. */
    private record Archives(Path agent, Path bare, Map<String, Object> figures) {
    }

    @Override
    public Map<String, Object> run(Mode mode) throws Exception {
        int launches = Integer.getInteger("bench.agent.launches", 5);
        Sizes sizes = mode == Mode.FULL
                ? new Sizes(30, Long.getLong("bench.agent.seconds", 600), 15, launches, launches, 5_000)
                : new Sizes(1, 3, 1, 1, 1, 500);
        boolean firstPublishOnly = Boolean.getBoolean("bench.agent.firstPublishOnly");
        Path agentJar = agentJar();
        Path dir = Files.createTempDirectory("bench-agent-");
        Path bareJar = bareJar(dir);
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

            // Each its own class-data sharing archive, made by a training launch in this run.
            Archives archives = train(agentJar, bareJar, dir, url, sizes, accounts);
            result.put("archives", archives.figures());
            List<String> agentWithArchive = List.of("-XX:SharedArchiveFile=" + archives.agent());
            List<String> bareWithArchive = List.of("-XX:SharedArchiveFile=" + archives.bare());

            // Launch → first status seen by a subscriber, alternating so all four meet the same noise.
            List<Double> agentFirst = new ArrayList<>();
            List<Double> bareFirst = new ArrayList<>();
            List<Double> agentArchiveFirst = new ArrayList<>();
            List<Double> bareArchiveFirst = new ArrayList<>();
            double loadBefore = loadAverage();
            for (int i = 0; i < Math.max(sizes.launches(), sizes.archiveLaunches()); i++) {
                if (i < sizes.launches()) {
                    agentFirst.add(firstPublishMs(agent(agentJar, dir, url, "bench-agent-" + i, sizes, accounts, List.of(), List.of())));
                    bareFirst.add(firstPublishMs(bare(bareJar, dir, url, "bench-bare-" + i, sizes, accounts, List.of(), List.of())));
                }
                if (i < sizes.archiveLaunches()) {
                    agentArchiveFirst.add(firstPublishMs(agent(agentJar, dir, url, "bench-agent-cds-" + i, sizes, accounts,
                            agentWithArchive, List.of())));
                    bareArchiveFirst.add(firstPublishMs(bare(bareJar, dir, url, "bench-bare-cds-" + i, sizes, accounts,
                            bareWithArchive, List.of())));
                }
            }
            result.put("firstPublishLoadAverage", Map.of("before", loadBefore, "after", loadAverage()));
            if (firstPublishOnly) {
                result.put("firstPublishMs", firstPublishFigures(agentFirst, bareFirst, agentArchiveFirst, bareArchiveFirst));
                result.put("partial", "first publish only (-Dbench.agent.firstPublishOnly=true): no footprint figures");
                Map<String, Object> compared = new LinkedHashMap<>();
                putFirstPublish(compared, agentFirst, bareFirst, agentArchiveFirst, bareArchiveFirst, mode == Mode.FULL);
                result.put("compared", compared);
                return result;
            }

            // Side by side for the run's length, each with its archive (the flags BENCHMARKS.md recommends).
            Launched agent = agent(agentJar, dir, url, "bench-agent-run", sizes, accounts, agentWithArchive, List.of());
            Launched bare = bare(bareJar, dir, url, "bench-bare-run", sizes, accounts, bareWithArchive, List.of());
            result.put("footprintWithArchives", true);
            Map<String, Object> agentFigures;
            Map<String, Object> bareFigures;
            try {
                awaitFirst(agent);
                awaitFirst(bare);
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
            result.put("firstPublishMs", firstPublishFigures(agentFirst, bareFirst, agentArchiveFirst, bareArchiveFirst));
            result.put("agent", agentFigures);
            result.put("bare", bareFigures);
            result.put("runSeconds", sizes.runSeconds());

            double rss = ((Number) agentFigures.get("rssMbMedian")).doubleValue();
            double bareRss = ((Number) bareFigures.get("rssMbMedian")).doubleValue();
            double cpu = ((Number) agentFigures.get("cpuPercent")).doubleValue();
            double bareCpu = ((Number) bareFigures.get("cpuPercent")).doubleValue();
            boolean full = mode == Mode.FULL;
            Map<String, Object> compared = new LinkedHashMap<>();
            compared.put("rss", Figures.compared("MB", rss, bareRss, "≤ 1.15 × baseline", full ? rss <= 1.15 * bareRss : null));
            compared.put("cpu", Figures.compared("% of one core", cpu, bareCpu, "≤ 0.5 %", full ? cpu <= 0.5 : null));
            putFirstPublish(compared, agentFirst, bareFirst, agentArchiveFirst, bareArchiveFirst, full);
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

    private static Map<String, Object> firstPublishFigures(List<Double> agent, List<Double> bare, List<Double> agentArchive,
            List<Double> bareArchive) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("agent", Figures.summary(agent));
        m.put("bare", Figures.summary(bare));
        m.put("agentWithArchive", Figures.summary(agentArchive));
        m.put("bareWithArchive", Figures.summary(bareArchive));
        return m;
    }

    /** The no-archive pair (as before archives were measured) and the pair with their archives. */
    private static void putFirstPublish(Map<String, Object> compared, List<Double> agent, List<Double> bare,
            List<Double> agentArchive, List<Double> bareArchive, boolean full) {
        double first = Figures.medianOf(agent);
        compared.put("firstPublish", Figures.compared("ms (median)", first, Figures.medianOf(bare), "≤ 1000 ms",
                full ? first <= 1000 : null));
        double withArchive = Figures.medianOf(agentArchive);
        compared.put("firstPublishWithArchive", Figures.compared("ms (median)", withArchive, Figures.medianOf(bareArchive),
                "≤ 1000 ms", full ? withArchive <= 1000 : null));
    }

    /**
     * The training launches: each process runs until its first status is acknowledged and exits,
     * and the JVM writes the classes it loaded into its archive. Checks that each archive is usable
     * with the flags it will run with ({@code -XX:+PrintSharedArchiveAndExit}).
     */
    private Archives train(Path agentJar, Path bareJar, Path dir, String url, Sizes sizes, TestBrokerAccounts accounts)
            throws Exception {
        Path agentArchive = dir.resolve("agent.jsa");
        Path bareArchive = dir.resolve("bare.jsa");
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("agentTrainingMs", trainingMs(agent(agentJar, dir, url, "bench-agent-train", sizes, accounts,
                List.of("-XX:ArchiveClassesAtExit=" + agentArchive), List.of("--exit-after-first-status")), agentArchive));
        figures.put("bareTrainingMs", trainingMs(bare(bareJar, dir, url, "bench-bare-train", sizes, accounts,
                List.of("-XX:ArchiveClassesAtExit=" + bareArchive), List.of(BarePublisher.EXIT_AFTER_FIRST_PUBLISH)), bareArchive));
        figures.put("agentArchiveBytes", Files.size(agentArchive));
        figures.put("bareArchiveBytes", Files.size(bareArchive));
        requireUsable(agentArchive, List.of("-jar", agentJar.toString()));
        requireUsable(bareArchive, List.of("-cp", bareClasspath(bareJar), BarePublisher.class.getName()));
        return new Archives(agentArchive, bareArchive, figures);
    }

    private static double trainingMs(Launched training, Path archive) throws Exception {
        try {
            if (!training.process().waitFor(TRAINING_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the training launch of " + training.deviceId() + " did not end within "
                        + TRAINING_TIMEOUT.toSeconds() + " s; its output:\n" + Files.readString(training.log()));
            }
        } finally {
            stop(training);
        }
        double ms = (System.nanoTime() - training.launchedAt()) / 1e6;
        if (training.process().exitValue() != 0 || !Files.isRegularFile(archive) || Files.size(archive) == 0) {
            throw new IllegalStateException("the training launch of " + training.deviceId() + " exited with status "
                    + training.process().exitValue() + " and " + (Files.isRegularFile(archive) ? "an empty " : "no ") + archive
                    + "; its output:\n" + Files.readString(training.log()));
        }
        return ms;
    }

    /** The JVM maps {@code archive} with the terminal flags and this class path, else throws with its words. */
    private static void requireUsable(Path archive, List<String> classpathAndMain) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(TERMINAL_FLAGS);
        command.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-XX:+PrintSharedArchiveAndExit"));
        command.addAll(classpathAndMain);
        Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) {
            throw new IllegalStateException("the JVM cannot use the archive " + archive + " it just made: " + out);
        }
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
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

    private Launched agent(Path jar, Path dir, String url, String deviceId, Sizes sizes, TestBrokerAccounts accounts,
            List<String> jvmExtra, List<String> agentExtra) throws IOException {
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
        command.addAll(jvmExtra);
        command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        command.addAll(agentExtra);
        return launch(deviceId, command, home);
    }

    private Launched bare(Path bareJar, Path dir, String url, String deviceId, Sizes sizes, TestBrokerAccounts accounts,
            List<String> jvmExtra, List<String> bareExtra) throws IOException {
        accounts.addDevice(deviceId, null, PASSWORD);
        Path home = Files.createDirectories(dir.resolve(deviceId));
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(TERMINAL_FLAGS);
        command.addAll(jvmExtra);
        command.addAll(List.of("-cp", bareClasspath(bareJar), BarePublisher.class.getName(), url, deviceId, PASSWORD,
                Double.toString(sizes.heartbeatSec())));
        command.addAll(bareExtra);
        return launch(deviceId, command, home);
    }

    private static String bareClasspath(Path bareJar) {
        return location(org.eclipse.paho.mqttv5.client.MqttClient.class) + File.pathSeparator + bareJar;
    }

    /**
     * {@link BarePublisher} alone in a jar: class-data sharing archives classes from jars only (the
     * benchmark's own classes are a directory), and the baseline deserves an archive like the agent's.
     */
    private static Path bareJar(Path dir) throws IOException {
        Path jar = dir.resolve("bare-publisher.jar");
        String entry = BarePublisher.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
                var in = BarePublisher.class.getClassLoader().getResourceAsStream(entry)) {
            if (in == null) {
                throw new IllegalStateException("cannot read the class file " + entry + " of the baseline");
            }
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
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
