package dev.signagefleet.agent.metrics;

import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.logging.ConditionLog;
import dev.signagefleet.agent.logging.DeviceLog;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Reads the real terminal: {@code /proc} for CPU, memory and uptime, {@code /sys/class/thermal}
 * for the temperature, the file system of the agent's data for free disk, the network interfaces
 * for the IP, and an optional display state file written by the player. Where a Linux source is
 * missing it falls back to the JVM's view, else leaves the field empty; each unreadable source is
 * logged once when it starts failing and once when it works again.
 */
public final class LinuxMetrics implements MetricsSource {

    private static final long MB = 1024 * 1024;
    /** Readings outside this range come from a broken or unrelated sensor and are ignored. */
    private static final double MIN_PLAUSIBLE_C = -40;
    private static final double MAX_PLAUSIBLE_C = 150;

    private final Path diskPath;
    private final Optional<Path> displayStateFile;
    private final Path procDir;
    private final Path thermalDir;
    private final DeviceLog log;
    private final ConditionLog conditions = new ConditionLog();
    private final String os = MetricsSource.jvmOs();
    private CpuTimes previousCpu;

    /**
     * @param diskPath         where free space is measured (the agent's buffer / content directory)
     * @param displayStateFile file containing {@code on} or {@code off}
     */
    public LinuxMetrics(String deviceId, Path diskPath, Optional<Path> displayStateFile) {
        this(deviceId, diskPath, displayStateFile, Path.of("/proc"), Path.of("/sys/class/thermal"));
    }

    /** Reads from other {@code /proc} and thermal directories: for tests with fixed files. */
    LinuxMetrics(String deviceId, Path diskPath, Optional<Path> displayStateFile, Path procDir, Path thermalDir) {
        this.diskPath = diskPath;
        this.displayStateFile = displayStateFile;
        this.procDir = procDir;
        this.thermalDir = thermalDir;
        this.log = new DeviceLog(LinuxMetrics.class, deviceId);
        // a first sample now, so that the first status has a real load since start rather than the JVM's guess
        this.previousCpu = readCpuTimes().orElse(null);
    }

    public static LinuxMetrics forConfig(AgentConfig config) {
        return new LinuxMetrics(config.deviceId(), config.deviceBufferDir(), config.displayStateFile());
    }

    @Override
    public Metrics read() {
        Memory memory = memory();
        return new Metrics(uptimeSec(), cpuLoad(), memory.used(), memory.total(), diskFreeMb(), temperatureC(),
                display(), ip(), os);
    }

    private record CpuTimes(long total, long idle) {
    }

    private record Memory(OptionalLong used, OptionalLong total) {
    }

    /** Load since the previous reading from /proc/stat; the JVM's estimate for the first one. */
    OptionalDouble cpuLoad() {
        Optional<CpuTimes> now = readCpuTimes();
        CpuTimes before = previousCpu;
        previousCpu = now.orElse(null);
        if (now.isPresent() && before != null) {
            long total = now.get().total() - before.total();
            long idle = now.get().idle() - before.idle();
            if (total > 0) {
                return OptionalDouble.of(clamp01(1.0 - (double) idle / total));
            }
        }
        OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        if (bean instanceof com.sun.management.OperatingSystemMXBean sun) {
            double load = sun.getCpuLoad();
            if (load >= 0 && !Double.isNaN(load)) {
                return OptionalDouble.of(clamp01(load));
            }
        }
        return OptionalDouble.empty();
    }

    private Optional<CpuTimes> readCpuTimes() {
        return firstLine(procDir.resolve("stat"), "cpu", "CPU load").flatMap(line -> {
            // cpu  user nice system idle iowait irq softirq steal [guest guest_nice] (guest is already in user)
            String[] parts = line.trim().split("\\s+");
            if (parts.length < 5 || !parts[0].equals("cpu")) {
                return Optional.empty();
            }
            try {
                long total = 0;
                for (int i = 1; i < Math.min(parts.length, 9); i++) {
                    total += Long.parseLong(parts[i]);
                }
                long idle = Long.parseLong(parts[4]) + (parts.length > 5 ? Long.parseLong(parts[5]) : 0);
                return Optional.of(new CpuTimes(total, idle));
            } catch (NumberFormatException e) {
                failed("CPU load", procDir.resolve("stat") + " has an unexpected cpu line: '" + line + "'");
                return Optional.empty();
            }
        });
    }

    private Memory memory() {
        Path meminfo = procDir.resolve("meminfo");
        try {
            long totalKb = -1;
            long availableKb = -1;
            for (String line : Files.readAllLines(meminfo, StandardCharsets.US_ASCII)) {
                if (line.startsWith("MemTotal:")) {
                    totalKb = kilobytes(line);
                } else if (line.startsWith("MemAvailable:")) {
                    availableKb = kilobytes(line);
                }
            }
            if (totalKb > 0 && availableKb >= 0) {
                recovered("memory", meminfo);
                return new Memory(OptionalLong.of((totalKb - availableKb) / 1024), OptionalLong.of(totalKb / 1024));
            }
            failed("memory", meminfo + " has no MemTotal/MemAvailable; using the JVM's view");
        } catch (IOException | RuntimeException e) {
            failed("memory", meminfo + " not readable (" + e + "); using the JVM's view");
        }
        OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        if (bean instanceof com.sun.management.OperatingSystemMXBean sun && sun.getTotalMemorySize() > 0) {
            long total = sun.getTotalMemorySize();
            return new Memory(OptionalLong.of((total - sun.getFreeMemorySize()) / MB), OptionalLong.of(total / MB));
        }
        return new Memory(OptionalLong.empty(), OptionalLong.empty());
    }

    private static long kilobytes(String meminfoLine) {
        // "MemTotal:        8042512 kB"
        String[] parts = meminfoLine.trim().split("\\s+");
        return Long.parseLong(parts[1]);
    }

    OptionalLong diskFreeMb() {
        // the buffer directory may not exist yet: measure the nearest existing parent, same file system
        Path existing = diskPath.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            failed("disk", "no existing directory above " + diskPath + " to measure free space");
            return OptionalLong.empty();
        }
        try {
            long usable = Files.getFileStore(existing).getUsableSpace();
            recovered("disk", existing);
            return OptionalLong.of(usable / MB);
        } catch (IOException | RuntimeException e) {
            failed("disk", "free space of " + existing + " not readable: " + e);
            return OptionalLong.empty();
        }
    }

    /** The first thermal zone with a plausible reading; zones are in millidegrees Celsius. */
    OptionalDouble temperatureC() {
        if (!Files.isDirectory(thermalDir)) {
            return OptionalDouble.empty(); // many terminals (and containers) have no sensor: not an error
        }
        List<Path> zones = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(thermalDir, "thermal_zone*")) {
            stream.forEach(zones::add);
        } catch (IOException e) {
            failed("temperature", thermalDir + " not readable: " + e);
            return OptionalDouble.empty();
        }
        zones.sort(Comparator.comparing(Path::toString));
        for (Path zone : zones) {
            try {
                double celsius = Long.parseLong(Files.readString(zone.resolve("temp"), StandardCharsets.US_ASCII).trim()) / 1000.0;
                if (celsius >= MIN_PLAUSIBLE_C && celsius <= MAX_PLAUSIBLE_C) {
                    recovered("temperature", zone);
                    return OptionalDouble.of(celsius);
                }
            } catch (IOException | RuntimeException e) {
                // try the next zone: some are write-only or report errors on purpose
            }
        }
        return OptionalDouble.empty();
    }

    long uptimeSec() {
        Optional<String> line = firstLine(procDir.resolve("uptime"), "", "uptime");
        if (line.isPresent()) {
            try {
                return (long) Double.parseDouble(line.get().trim().split("\\s+")[0]);
            } catch (RuntimeException e) {
                failed("uptime", procDir.resolve("uptime") + " unparsable ('" + line.get() + "'); using the agent's uptime");
            }
        }
        return ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
    }

    DisplayState display() {
        if (displayStateFile.isEmpty()) {
            return DisplayState.UNKNOWN;
        }
        Path file = displayStateFile.get();
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            DisplayState state = DisplayState.parse(text);
            if (state == DisplayState.UNKNOWN) {
                failed("display", "display.state.file " + file + " contains '" + text.strip()
                        + "', expected on or off; reporting display unknown");
            } else {
                recovered("display", file);
            }
            return state;
        } catch (IOException | RuntimeException e) {
            failed("display", "display.state.file " + file + " not readable (" + e + "); reporting display unknown");
            return DisplayState.UNKNOWN;
        }
    }

    /** The first IPv4 address, by interface index, of an interface that is up and not loopback. */
    Optional<String> ip() {
        try {
            List<NetworkInterface> interfaces = Collections.list(NetworkInterface.getNetworkInterfaces());
            interfaces.sort(Comparator.comparingInt(NetworkInterface::getIndex));
            for (NetworkInterface nic : interfaces) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        recovered("ip", "network interfaces");
                        return Optional.of(address.getHostAddress());
                    }
                }
            }
            return Optional.empty();
        } catch (SocketException | RuntimeException e) {
            failed("ip", "network interfaces not readable: " + e);
            return Optional.empty();
        }
    }

    private Optional<String> firstLine(Path file, String prefix, String what) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                if (line.startsWith(prefix)) {
                    recovered(what, file);
                    return Optional.of(line);
                }
            }
            failed(what, file + " has no line starting with '" + prefix + "'");
        } catch (IOException | RuntimeException e) {
            failed(what, file + " not readable: " + e);
        }
        return Optional.empty();
    }

    private static double clamp01(double value) {
        return Math.max(0, Math.min(1, value));
    }

    private void failed(String condition, String message) {
        if (conditions.failed(condition)) {
            log.warn("cannot read " + condition + ": " + message);
        }
    }

    private void recovered(String condition, Object source) {
        if (conditions.recovered(condition)) {
            log.info(condition + " readable again from " + source);
        }
    }
}
