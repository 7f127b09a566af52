package dev.signagefleet.telemetry.ingest;

import dev.signagefleet.telemetry.connectivity.ConnectivityChange;
import dev.signagefleet.telemetry.connectivity.DeviceEventLog;
import dev.signagefleet.telemetry.gaps.StatusGaps;
import dev.signagefleet.telemetry.history.StatusHistoryRepository;
import dev.signagefleet.telemetry.state.DeviceState;
import dev.signagefleet.telemetry.state.DeviceStateRepository;
import dev.signagefleet.telemetry.state.StateRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.TreeSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Applies one batch of decoded messages in one transaction: history, latest state, connectivity
 * events (device_events + outbox), suspected seq gaps and quarantine all commit together or not at all.
 */
public final class BatchApplier {

    private final Jdbi jdbi;
    private final StateRules rules;
    private final DeviceStateRepository states = new DeviceStateRepository();
    private final StatusHistoryRepository history = new StatusHistoryRepository();
    private final DeviceEventLog events = new DeviceEventLog();
    private final Quarantine quarantine = new Quarantine();
    private final StatusGaps gaps = new StatusGaps();

    /** What a committed batch did. */
    public record Outcome(int statuses, int newHistoryRows, int presences, int quarantined,
                          List<ConnectivityChange> changes) {
        public int duplicates() {
            return statuses - newHistoryRows;
        }
    }

    public BatchApplier(Jdbi jdbi, StateRules rules) {
        this.jdbi = jdbi;
        this.rules = rules;
    }

    public Outcome apply(List<TelemetryMessage> messages, Instant receivedAt) {
        return jdbi.inTransaction(handle -> apply(handle, messages, receivedAt));
    }

    /** Applies the messages inside the caller's transaction (a replay marks its quarantine row in the same one). */
    public Outcome apply(Handle handle, List<TelemetryMessage> messages, Instant receivedAt) {
        int quarantined = 0;
        // Sorted: every transaction touches device rows in the same order, so two consumer instances cannot deadlock.
        Set<String> deviceIds = new TreeSet<>();
        List<StatusHistoryRepository.Received> statuses = new ArrayList<>();
        int presences = 0;
        for (TelemetryMessage m : messages) {
            if (m instanceof TelemetryMessage.Rejected rejected) {
                quarantine.add(handle, rejected, receivedAt);
                quarantined++;
            } else if (m instanceof TelemetryMessage.StatusReport report) {
                deviceIds.add(report.status().deviceId());
                statuses.add(new StatusHistoryRepository.Received(report.status(), receivedAt));
            } else if (m instanceof TelemetryMessage.PresenceReport report) {
                deviceIds.add(report.presence().deviceId());
                presences++;
            }
        }
        if (deviceIds.isEmpty()) {
            return new Outcome(0, 0, 0, quarantined, List.of());
        }
        Map<String, DeviceState> locked = states.lock(handle, deviceIds);
        if (locked.size() < deviceIds.size()) {
            Set<String> missing = new TreeSet<>(deviceIds);
            missing.removeAll(locked.keySet());
            states.ensureExists(handle, missing);
            locked.putAll(states.lock(handle, missing));
        }
        int newRows = history.append(handle, statuses);
        List<ConnectivityChange> changes = new ArrayList<>();
        for (TelemetryMessage m : messages) {
            if (m instanceof TelemetryMessage.StatusReport report) {
                DeviceState state = locked.get(report.status().deviceId());
                gaps.noteIfGap(handle, state.latest(), report.status(), receivedAt);
                rules.applyStatus(state, report.status(), receivedAt).ifPresent(changes::add);
            } else if (m instanceof TelemetryMessage.PresenceReport report) {
                DeviceState state = locked.get(report.presence().deviceId());
                rules.applyPresence(state, report.presence(), receivedAt).ifPresent(changes::add);
            }
        }
        states.save(handle, locked.values());
        events.recordAll(handle, changes);
        return new Outcome(statuses.size(), newRows, presences, quarantined, changes);
    }
}
