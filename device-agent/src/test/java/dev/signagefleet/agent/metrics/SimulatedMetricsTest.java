package dev.signagefleet.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedMetricsTest {

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-23T09:00:00Z"), ZoneOffset.UTC);

    @Test
    void theSameSeedAndClockGiveTheSameReadings() {
        assertThat(readings(new SimulatedMetrics("lobby-01", 7, clock), 50))
                .isEqualTo(readings(new SimulatedMetrics("lobby-01", 7, clock), 50));
        assertThat(readings(new SimulatedMetrics("lobby-01", 8, clock), 50))
                .isNotEqualTo(readings(new SimulatedMetrics("lobby-01", 7, clock), 50));
    }

    @Test
    void everyValueStaysPlausibleOverALongWalk() {
        SimulatedMetrics metrics = new SimulatedMetrics("lobby-01", 3, clock);
        Metrics first = metrics.read();
        long on = 0;
        Metrics last = first;
        for (int i = 0; i < 10_000; i++) {
            last = metrics.read();
            assertThat(last.cpuLoad().orElseThrow()).isBetween(0.05, 0.9);
            assertThat(last.temperatureC().orElseThrow()).isBetween(35.0, 75.0);
            assertThat(last.memTotalMb().orElseThrow()).isIn(2048L, 4096L);
            assertThat(last.memUsedMb().orElseThrow()).isBetween(0L, last.memTotalMb().orElseThrow());
            assertThat(last.ip()).isEqualTo(first.ip());
            assertThat(last.os()).isEqualTo("Linux 6.1.0 aarch64");
            on += last.display() == DisplayState.ON ? 1 : 0;
        }
        assertThat(on).as("the display is mostly on").isGreaterThan(9_000);
        assertThat(last.diskFreeMb().orElseThrow()).as("the disk slowly fills").isLessThan(first.diskFreeMb().orElseThrow());
        assertThat(first.uptimeSec()).isGreaterThanOrEqualTo(3_600);
    }

    @Test
    void eachDeviceHasItsOwnStablePrivateAddress() {
        String ip = new SimulatedMetrics("lobby-01", 1, clock).read().ip().orElseThrow();

        assertThat(ip).matches("10\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
        assertThat(new SimulatedMetrics("lobby-01", 99, clock).read().ip()).contains(ip);
        assertThat(new SimulatedMetrics("lobby-02", 1, clock).read().ip()).isNotEqualTo(java.util.Optional.of(ip));
    }

    private static List<Metrics> readings(SimulatedMetrics metrics, int count) {
        List<Metrics> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(metrics.read());
        }
        return out;
    }
}
