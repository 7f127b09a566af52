package dev.signagefleet.agent.status;

import dev.signagefleet.agent.logging.DeviceLog;
import dev.signagefleet.agent.metrics.DisplayState;
import dev.signagefleet.agent.metrics.Metrics;
import dev.signagefleet.agent.metrics.MetricsSource;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Makes the statuses of one boot: numbers them, stamps them, and notices when something a
 * consumer reacts to (display, content version, IP) differs from what was last reported.
 * Confined to the agent's serial executor.
 */
public final class StatusReporter {

    private final String deviceId;
    private final UUID bootId;
    private final String agentVersion;
    private final MetricsSource metrics;
    private final Clock clock;
    private final DeviceLog log;
    private long seq;
    private Optional<String> contentVersion = Optional.empty();
    private Optional<String> contentError = Optional.empty();
    private DisplayState reportedDisplay;
    private Optional<String> reportedIp;
    private Optional<String> reportedContentVersion = Optional.empty();
    private Optional<String> reportedContentError = Optional.empty();

    public StatusReporter(String deviceId, UUID bootId, String agentVersion, MetricsSource metrics, Clock clock) {
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.bootId = Objects.requireNonNull(bootId, "bootId");
        this.agentVersion = Objects.requireNonNull(agentVersion, "agentVersion");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = new DeviceLog(StatusReporter.class, deviceId);
    }

    /** The periodic status. */
    public DeviceStatus heartbeat(long droppedWhileOffline) {
        return report(read(), droppedWhileOffline);
    }

    /** A status at once if display or IP changed since the last report, else nothing. */
    public Optional<DeviceStatus> ifChanged(long droppedWhileOffline) {
        Metrics now = read();
        if (reportedDisplay == null || (now.display() == reportedDisplay && now.ip().equals(reportedIp))) {
            return Optional.empty();
        }
        StringBuilder change = new StringBuilder("reporting at once:");
        if (now.display() != reportedDisplay) {
            change.append(" display ").append(reportedDisplay.wireValue()).append(" -> ").append(now.display().wireValue());
        }
        if (!now.ip().equals(reportedIp)) {
            change.append(" ip ").append(reportedIp.orElse("none")).append(" -> ").append(now.ip().orElse("none"));
        }
        log.info(change.toString());
        return Optional.of(report(now, droppedWhileOffline));
    }

    /** Records the content now shown; a status at once if it differs from the last report. */
    public Optional<DeviceStatus> contentVersion(String version, long droppedWhileOffline) {
        contentVersion = Optional.ofNullable(version);
        return reportContentChange(droppedWhileOffline);
    }

    /** Records why the assigned content is not shown (empty: no problem); a status at once if that changed. */
    public Optional<DeviceStatus> contentError(Optional<String> error, long droppedWhileOffline) {
        contentError = Objects.requireNonNull(error, "error");
        return reportContentChange(droppedWhileOffline);
    }

    /** A new package is on screen and any content problem is over: one status saying both, at once. */
    public Optional<DeviceStatus> contentSwitched(String version, long droppedWhileOffline) {
        contentVersion = Optional.of(version);
        contentError = Optional.empty();
        return reportContentChange(droppedWhileOffline);
    }

    private Optional<DeviceStatus> reportContentChange(long droppedWhileOffline) {
        if (contentVersion.equals(reportedContentVersion) && contentError.equals(reportedContentError)) {
            return Optional.empty();
        }
        log.info("content version now " + contentVersion.orElse("none")
                + contentError.map(error -> ", content error: " + error).orElse("") + "; reporting at once");
        return Optional.of(report(read(), droppedWhileOffline));
    }

    /** The content version known at start (e.g. restored from disk): no status of its own, the first one carries it. */
    public void presetContentVersion(String version) {
        contentVersion = Optional.ofNullable(version);
    }

    /** The seq of the latest status of this boot, 0 before the first. */
    public long lastSeq() {
        return seq;
    }

    private DeviceStatus report(Metrics reading, long droppedWhileOffline) {
        seq++;
        reportedDisplay = reading.display();
        reportedIp = reading.ip();
        reportedContentVersion = contentVersion;
        reportedContentError = contentError;
        return new DeviceStatus(deviceId, bootId, seq, clock.instant(), agentVersion, reading, contentVersion, contentError,
                droppedWhileOffline);
    }

    private Metrics read() {
        try {
            return metrics.read();
        } catch (RuntimeException e) {
            // a broken metrics source must not stop the reports: they still carry identity and liveness
            log.error("metrics source failed, reporting without metrics: " + e, e);
            return Metrics.unknown(ManagementFactory.getRuntimeMXBean().getUptime() / 1000, MetricsSource.jvmOs());
        }
    }
}
