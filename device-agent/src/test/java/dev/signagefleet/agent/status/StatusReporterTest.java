package dev.signagefleet.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.agent.metrics.DisplayState;
import dev.signagefleet.agent.metrics.Metrics;
import dev.signagefleet.agent.metrics.MetricsSource;
import dev.signagefleet.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class StatusReporterTest {

    /** A terminal whose display and IP the test sets. */
    private static final class Terminal implements MetricsSource {
        DisplayState display = DisplayState.ON;
        String ip = "10.0.0.5";
        boolean broken;

        @Override
        public Metrics read() {
            if (broken) {
                throw new IllegalStateException("sensor driver crashed");
            }
            return new Metrics(100, OptionalDouble.of(0.1), OptionalLong.of(100), OptionalLong.of(2048),
                    OptionalLong.of(5000), OptionalDouble.empty(), display, Optional.of(ip), "Linux");
        }
    }

    private final Terminal terminal = new Terminal();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
    private final UUID boot = UUID.randomUUID();
    private final StatusReporter reporter = new StatusReporter("lobby-01", boot, "1.2.3", terminal, clock);

    @Test
    void statusesOfABootAreNumberedFromOneAndStampedWithTheClock() {
        DeviceStatus first = reporter.heartbeat(0);
        clock.advance(Duration.ofSeconds(30));
        DeviceStatus second = reporter.heartbeat(2);

        assertThat(first.seq()).isEqualTo(1);
        assertThat(second.seq()).isEqualTo(2);
        assertThat(second.sentAt()).isEqualTo(Instant.parse("2026-11-23T09:00:30Z"));
        assertThat(second.bootId()).isEqualTo(boot);
        assertThat(second.droppedWhileOffline()).isEqualTo(2);
        assertThat(reporter.lastSeq()).isEqualTo(2);
    }

    @Test
    void aChangedDisplayOrIpIsReportedOnceAtOnce() {
        reporter.heartbeat(0);
        assertThat(reporter.ifChanged(0)).isEmpty();

        terminal.display = DisplayState.OFF;
        assertThat(reporter.ifChanged(0)).hasValueSatisfying(status -> assertThat(status.metrics().display()).isEqualTo(DisplayState.OFF));
        assertThat(reporter.ifChanged(0)).isEmpty();

        terminal.ip = "10.0.0.6";
        assertThat(reporter.ifChanged(0)).isPresent();
        assertThat(reporter.lastSeq()).isEqualTo(3);
    }

    @Test
    void aNewContentVersionIsReportedAtOnceAndKeptInLaterStatuses() {
        reporter.heartbeat(0);

        assertThat(reporter.contentVersion("c-42", 0)).hasValueSatisfying(s -> assertThat(s.contentVersion()).contains("c-42"));
        assertThat(reporter.contentVersion("c-42", 0)).as("the same version again is no news").isEmpty();
        assertThat(reporter.heartbeat(0).contentVersion()).contains("c-42");
    }

    @Test
    void aContentVersionKnownAtStartIsCarriedByTheFirstStatusWithoutAnExtraOne() {
        reporter.presetContentVersion("c-restored");

        assertThat(reporter.heartbeat(0).contentVersion()).contains("c-restored");
        assertThat(reporter.contentVersion("c-restored", 0)).isEmpty();
        assertThat(reporter.lastSeq()).isEqualTo(1);
    }

    @Test
    void aContentErrorIsReportedAtOnceAndASwitchClearsItInTheSameStatus() {
        reporter.contentVersion("tokyo-east@3", 0);

        assertThat(reporter.contentError(Optional.of("tokyo-east@4: HTTP 404"), 0)).hasValueSatisfying(s -> {
            assertThat(s.contentVersion()).contains("tokyo-east@3");
            assertThat(s.contentError()).contains("tokyo-east@4: HTTP 404");
        });
        assertThat(reporter.contentError(Optional.of("tokyo-east@4: HTTP 404"), 0)).as("the same error again is no news").isEmpty();
        assertThat(reporter.heartbeat(0).contentError()).contains("tokyo-east@4: HTTP 404");

        assertThat(reporter.contentSwitched("tokyo-east@4", 0)).hasValueSatisfying(s -> {
            assertThat(s.contentVersion()).contains("tokyo-east@4");
            assertThat(s.contentError()).isEmpty();
        });
        assertThat(reporter.lastSeq()).isEqualTo(4);
    }

    @Test
    void aFailingMetricsSourceStillGivesAStatus() {
        terminal.broken = true;

        DeviceStatus status = reporter.heartbeat(0);

        assertThat(status.seq()).isEqualTo(1);
        assertThat(status.metrics().display()).isEqualTo(DisplayState.UNKNOWN);
        assertThat(status.metrics().cpuLoad()).isEmpty();
    }
}
