package dev.signagefleet.agent.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Plausible, reproducible readings for a simulated terminal: every value takes a small random
 * step per reading (CPU 0.05–0.9, memory around a per-device total of 2 or 4 GB, disk slowly
 * filling, 35–75 °C following the CPU, display mostly on), while the IP and OS stay fixed per
 * device. The same seed and clock give the same sequence.
 */
public final class SimulatedMetrics implements MetricsSource {

    private static final double CPU_MIN = 0.05;
    private static final double CPU_MAX = 0.9;
    private static final double TEMP_MIN = 35;
    private static final double TEMP_MAX = 75;
    /** Chance per reading that a screen goes dark, and that a dark one comes back: mostly on, briefly off. */
    private static final double DISPLAY_OFF_CHANCE = 0.002;
    private static final double DISPLAY_ON_CHANCE = 0.2;
    private static final String OS = "Linux 6.1.0 aarch64";

    private final RandomGenerator random;
    private final Clock clock;
    private final Instant bootedAt;
    private final long memTotalMb;
    private final String ip;
    private double cpu;
    private double memUsedFraction;
    private double diskFreeMb;
    private double temperature;
    private DisplayState display = DisplayState.ON;

    /** Seeded from {@code seed}; the IP is derived from the device id so it stays stable across runs. */
    public SimulatedMetrics(String deviceId, long seed, Clock clock) {
        this(deviceId, new SplittableRandom(seed), clock);
    }

    public SimulatedMetrics(String deviceId, RandomGenerator random, Clock clock) {
        Objects.requireNonNull(deviceId, "deviceId");
        this.random = Objects.requireNonNull(random, "random");
        this.clock = Objects.requireNonNull(clock, "clock");
        // terminals have been up for a while when the simulation starts: between an hour and a month
        this.bootedAt = clock.instant().minus(Duration.ofSeconds(random.nextLong(3_600, 30L * 24 * 3_600)));
        this.memTotalMb = random.nextBoolean() ? 2048 : 4096;
        this.ip = ipFor(deviceId);
        this.cpu = random.nextDouble(0.1, 0.4);
        this.memUsedFraction = random.nextDouble(0.3, 0.6);
        this.diskFreeMb = random.nextDouble(8_000, 32_000);
        this.temperature = temperatureFor(cpu);
    }

    @Override
    public Metrics read() {
        step();
        long uptime = Math.max(0, Duration.between(bootedAt, clock.instant()).toSeconds());
        return new Metrics(uptime, OptionalDouble.of(round(cpu, 3)), OptionalLong.of(Math.round(memTotalMb * memUsedFraction)),
                OptionalLong.of(memTotalMb), OptionalLong.of((long) diskFreeMb), OptionalDouble.of(round(temperature, 1)),
                display, Optional.of(ip), OS);
    }

    private void step() {
        cpu = clamp(cpu + random.nextDouble(-0.08, 0.08), CPU_MIN, CPU_MAX);
        memUsedFraction = clamp(memUsedFraction + random.nextDouble(-0.02, 0.02), 0.2, 0.9);
        diskFreeMb = Math.max(0, diskFreeMb - random.nextDouble(0, 2));
        // the SoC warms with load, with a little sensor noise, and follows slowly
        temperature = clamp(temperature + (temperatureFor(cpu) - temperature) * 0.3 + random.nextDouble(-0.5, 0.5),
                TEMP_MIN, TEMP_MAX);
        if (display == DisplayState.ON && random.nextDouble() < DISPLAY_OFF_CHANCE) {
            display = DisplayState.OFF;
        } else if (display == DisplayState.OFF && random.nextDouble() < DISPLAY_ON_CHANCE) {
            display = DisplayState.ON;
        }
    }

    private static double temperatureFor(double cpu) {
        return TEMP_MIN + 10 + cpu * (TEMP_MAX - TEMP_MIN - 10);
    }

    /** A private 10.x.y.z address that is the same for the same device id on every run. */
    static String ipFor(String deviceId) {
        int hash = deviceId.hashCode();
        SplittableRandom fromId = new SplittableRandom(hash);
        return "10." + fromId.nextInt(0, 256) + "." + fromId.nextInt(0, 256) + "." + fromId.nextInt(1, 255);
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }

    private static double round(double value, int digits) {
        double factor = Math.pow(10, digits);
        return Math.round(value * factor) / factor;
    }
}
