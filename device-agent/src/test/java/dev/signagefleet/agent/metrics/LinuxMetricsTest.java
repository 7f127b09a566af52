package dev.signagefleet.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads a fixed /proc and /sys/class/thermal written by the test, so the numbers are known. */
class LinuxMetricsTest {

    @TempDir
    Path dir;
    private Path proc;
    private Path thermal;
    private Path displayFile;
    private LinuxMetrics metrics;

    @BeforeEach
    void fakeLinux() throws IOException {
        proc = Files.createDirectories(dir.resolve("proc"));
        thermal = Files.createDirectories(dir.resolve("thermal"));
        displayFile = dir.resolve("display");
        Files.writeString(proc.resolve("meminfo"), """
                MemTotal:        4046848 kB
                MemFree:          123456 kB
                MemAvailable:    3022848 kB
                Buffers:           10000 kB
                """);
        Files.writeString(proc.resolve("uptime"), "12345.67 40000.00\n");
        Files.writeString(proc.resolve("stat"), "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 100 0 100 800 0 0 0 0 0 0\n");
        Files.createDirectories(thermal.resolve("thermal_zone0"));
        Files.writeString(thermal.resolve("thermal_zone0/temp"), "48500\n");
        metrics = new LinuxMetrics("dev-1", dir.resolve("buffer/dev-1"), Optional.of(displayFile), proc, thermal);
    }

    @Test
    void cpuLoadIsTheBusyShareOfTheTimeSinceThePreviousReading() throws IOException {
        metrics.read();
        // +300 busy (user 200, system 100), +100 idle: 75 % busy since the first reading
        Files.writeString(proc.resolve("stat"), "cpu  300 0 200 900 0 0 0 0 0 0\n");

        assertThat(metrics.read().cpuLoad()).hasValueCloseTo(0.75, within(1e-9));
    }

    @Test
    void memoryUptimeTemperatureAndDiskComeFromTheirFiles() {
        Metrics reading = metrics.read();

        assertThat(reading.memTotalMb()).hasValue(3952);
        assertThat(reading.memUsedMb()).hasValue((4046848 - 3022848) / 1024);
        assertThat(reading.uptimeSec()).isEqualTo(12345);
        assertThat(reading.temperatureC()).hasValueCloseTo(48.5, within(1e-9));
        assertThat(reading.diskFreeMb()).as("measured on the nearest existing parent of the buffer dir").isPresent();
        assertThat(reading.os()).isEqualTo(MetricsSource.jvmOs());
    }

    @Test
    void theDisplayFollowsItsStateFileAndIsUnknownWithoutIt() throws IOException {
        assertThat(metrics.read().display()).isEqualTo(DisplayState.UNKNOWN);
        Files.writeString(displayFile, "on\n");
        assertThat(metrics.read().display()).isEqualTo(DisplayState.ON);
        Files.writeString(displayFile, " OFF ");
        assertThat(metrics.read().display()).isEqualTo(DisplayState.OFF);
        Files.writeString(displayFile, "dimmed");
        assertThat(metrics.read().display()).isEqualTo(DisplayState.UNKNOWN);
    }

    @Test
    void unreadableSourcesFallBackOrStayEmptyWithoutFailing() throws IOException {
        Files.delete(proc.resolve("meminfo"));
        Files.delete(proc.resolve("uptime"));
        Files.writeString(proc.resolve("stat"), "garbage\n");
        Files.writeString(thermal.resolve("thermal_zone0/temp"), "-999999\n");

        Metrics reading = metrics.read();

        assertThat(reading.memTotalMb()).as("the JVM's view of the machine").isPresent();
        assertThat(reading.uptimeSec()).as("the agent's own uptime").isGreaterThanOrEqualTo(0);
        assertThat(reading.temperatureC()).as("an implausible sensor is ignored").isEmpty();
        assertThat(reading.display()).isEqualTo(DisplayState.UNKNOWN);
    }

    @Test
    void theRealMachineCanBeReadToo() {
        Metrics reading = new LinuxMetrics("dev-1", dir, Optional.empty()).read();

        assertThat(reading.os()).isNotBlank();
        assertThat(reading.memTotalMb()).isPresent();
        reading.cpuLoad().ifPresent(load -> assertThat(load).isBetween(0.0, 1.0));
    }
}
