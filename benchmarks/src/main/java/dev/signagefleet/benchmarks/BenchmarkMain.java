package dev.signagefleet.benchmarks;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.signagefleet.common.json.Json;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        List<Scenario> scenarios = new ArrayList<>();
        ServiceLoader.load(Scenario.class).forEach(scenarios::add);
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
            System.out.printf("== %s (%s)%n", scenario.id(), mode);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("benchmark", scenario.id());
            result.put("mode", mode.name());
            result.put("startedAt", Instant.now().toString());
            result.put("machine", machine());
            try {
                result.putAll(scenario.run(mode));
                result.put("valid", true);
            } catch (Exception e) {
                failed++;
                result.put("valid", false);
                result.put("error", String.valueOf(e));
                System.err.printf("Benchmark %s failed: %s%n", scenario.id(), e);
                e.printStackTrace();
            }
            result.put("endedAt", Instant.now().toString());
            Path file = out.resolve(scenario.id() + ".json");
            Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), result);
            System.out.printf("   written %s%n", file);
        }
        // Some components keep non-daemon threads after they were closed; the results are written, so end here.
        System.exit(failed > 0 ? 1 : 0);
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
