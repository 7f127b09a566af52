package dev.signagefleet.benchmarks.ingest;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What the end-to-end benchmarks read besides their counts: latency histograms (as percentiles in
 * ms), CPU time of this JVM and of PostgreSQL, memory, load.
 */
public final class Readings {

    private Readings() {
    }

    /** A latency histogram recorded in microseconds, as milliseconds. */
    public static Map<String, Object> latencyMs(Histogram micros) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", micros.getTotalCount());
        if (micros.getTotalCount() == 0) {
            return m;
        }
        m.put("p50", ms(micros.getValueAtPercentile(50)));
        m.put("p90", ms(micros.getValueAtPercentile(90)));
        m.put("p99", ms(micros.getValueAtPercentile(99)));
        m.put("p999", ms(micros.getValueAtPercentile(99.9)));
        m.put("max", ms(micros.getMaxValue()));
        m.put("min", ms(micros.getMinValue()));
        return m;
    }

    private static double ms(long micros) {
        return Math.round(micros / 100.0) / 10.0;
    }

    /** A histogram for microsecond latencies up to an hour. */
    public static Histogram micros() {
        return new Histogram(3_600_000_000L, 3);
    }

    /** CPU time of this JVM so far, in nanoseconds. */
    public static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time of a process and its live descendants (PostgreSQL's postmaster and backends), in nanoseconds. */
    public static long treeCpuNanos(long pid) {
        return ProcessHandle.of(pid).map(p -> cpu(p) + p.descendants().mapToLong(Readings::cpu).sum()).orElse(0L);
    }

    private static long cpu(ProcessHandle p) {
        return p.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    /** Resident memory of this JVM now and at its peak, in MB (Linux; empty elsewhere). */
    public static Map<String, Object> memory() {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    m.put("rssMb", kbToMb(line));
                } else if (line.startsWith("VmHWM:")) {
                    m.put("peakRssMb", kbToMb(line));
                }
            }
        } catch (IOException | RuntimeException e) {
            m.put("rssNote", "not readable: " + e);
        }
        m.put("heapUsedMb", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024));
        m.put("heapMaxMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        return m;
    }

    private static long kbToMb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
    }

    /** Heap in use after a full collection, in bytes: what live objects take. */
    public static long liveHeapBytes() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
