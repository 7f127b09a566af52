package dev.signagefleet.agent.metrics;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One reading of the terminal's condition. Anything that could not be read is empty and is left
 * out of the status (or sent as null / {@code unknown}), never guessed.
 *
 * @param uptimeSec    seconds since the terminal (or, failing that, the agent) started
 * @param cpuLoad      0..1 across all cores
 * @param memUsedMb    memory in use (total minus available)
 * @param memTotalMb   physical memory
 * @param diskFreeMb   usable space where the agent keeps its data
 * @param temperatureC SoC / CPU temperature
 * @param display      screen state
 * @param ip           first non-loopback IPv4 address of an interface that is up
 * @param os           e.g. {@code Linux 6.1.0 aarch64}
 */
public record Metrics(
        long uptimeSec,
        OptionalDouble cpuLoad,
        OptionalLong memUsedMb,
        OptionalLong memTotalMb,
        OptionalLong diskFreeMb,
        OptionalDouble temperatureC,
        DisplayState display,
        Optional<String> ip,
        String os) {

    public Metrics {
        Objects.requireNonNull(cpuLoad, "cpuLoad");
        Objects.requireNonNull(memUsedMb, "memUsedMb");
        Objects.requireNonNull(memTotalMb, "memTotalMb");
        Objects.requireNonNull(diskFreeMb, "diskFreeMb");
        Objects.requireNonNull(temperatureC, "temperatureC");
        Objects.requireNonNull(display, "display");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(os, "os");
    }

    /** A reading that knows nothing but the OS, for when a {@link MetricsSource} fails outright. */
    public static Metrics unknown(long uptimeSec, String os) {
        return new Metrics(uptimeSec, OptionalDouble.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalDouble.empty(), DisplayState.UNKNOWN, Optional.empty(), os);
    }
}
