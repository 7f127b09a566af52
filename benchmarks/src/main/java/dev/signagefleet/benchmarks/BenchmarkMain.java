package dev.signagefleet.benchmarks;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.signagefleet.common.json.Json;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Runs the benchmarks: {@code BenchmarkMain [--smoke] [--out DIR] [id ...]} (all when no id is given).
 * Each result goes to {@code DIR/{id}.json} (default {@code benchmarks/results}) with the date and
 * the machine it ran on.
 */
public final class BenchmarkMain {

    private BenchmarkMain() {
    }

    public static void main(String[] args) throws Exception {
        Scenario.Mode mode = Scenario.Mode.FULL;
        Path out = Path.of("benchmarks", "results");
        List<String> wanted = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> mode = Scenario.Mode.SMOKE;
                case "--out" -> out = Path.of(args[++i]);
                default -> wanted.add(args[i]);
            }
        }
        List<Scenario> scenarios = scenarios();
        List<String> known = scenarios.stream().map(Scenario::id).toList();
        for (String id : wanted) {
            if (!known.contains(id)) {
                System.err.println("No benchmark named '" + id + "'. Known: " + String.join(", ", known));
                System.exit(2);
            }
        }
        Files.createDirectories(out);
        int failed = 0;
        for (Scenario scenario : scenarios) {
            if (!wanted.isEmpty() && !wanted.contains(scenario.id())) {
                continue;
            }
            if (!Boolean.TRUE.equals(runOne(scenario, mode, out).get("valid"))) {
                failed++;
            }
        }
        // Some components keep non-daemon threads after they were closed; the results are written, so end here.
        System.exit(failed > 0 ? 1 : 0);
    }

    /**
     * Runs one scenario and writes its result to {@code out/{id}.json}, valid or not.
     *
     * @return the result as written; {@code valid} is false (with {@code error}) when the scenario threw
     */
    public static Map<String, Object> runOne(Scenario scenario, Scenario.Mode mode, Path out) throws java.io.IOException {
        System.out.printf("== %s (%s)%n", scenario.id(), mode);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", scenario.id());
        result.put("mode", mode.name());
        result.put("startedAt", Instant.now().toString());
        result.put("machine", machine());
        long started = System.nanoTime();
        try {
            result.putAll(scenario.run(mode));
            result.put("valid", true);
        } catch (Exception e) {
            result.put("valid", false);
            result.put("error", String.valueOf(e));
            System.err.printf("Benchmark %s failed: %s%n", scenario.id(), e);
            e.printStackTrace();
        }
        result.put("endedAt", Instant.now().toString());
        result.put("seconds", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
        result.put("loadAverageAtEnd", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Path file = out.resolve(scenario.id() + ".json");
        Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), result);
        System.out.printf("   written %s (%s, %.1f s)%n", file, Boolean.TRUE.equals(result.get("valid")) ? "valid" : "NOT valid",
                (System.nanoTime() - started) / 1e9);
        return result;
    }

    /**
     * The scenarios listed in {@code META-INF/services/dev.signagefleet.benchmarks.Scenario}, in that order.
     *
     * @throws IllegalStateException naming the line whose class cannot be loaded
     */
    public static List<Scenario> scenarios() {
        List<Scenario> scenarios = new ArrayList<>();
        Iterator<Scenario> it = ServiceLoader.load(Scenario.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    return scenarios;
                }
                scenarios.add(it.next());
            } catch (ServiceConfigurationError e) {
                throw new IllegalStateException("a benchmark listed in META-INF/services/" + Scenario.class.getName()
                        + " cannot be loaded (" + e.getMessage() + "); fix or remove that line", e);
            }
        }
    }

    /** The machine the figures come from: they are only comparable with their baseline from the same run. */
    public static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            m.put("memoryBytes", os.getTotalMemorySize());
        }
        m.put("loadAverageAtStart", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return m;
    }
}
