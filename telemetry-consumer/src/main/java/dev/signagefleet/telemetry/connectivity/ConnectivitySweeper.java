package dev.signagefleet.telemetry.connectivity;

import dev.signagefleet.telemetry.state.DeviceState;
import dev.signagefleet.telemetry.state.DeviceStateRepository;
import dev.signagefleet.telemetry.state.StateRules;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ages silent devices (online → stale → offline) and records the events. Safe with several
 * consumer instances: rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so each transition is
 * decided by exactly one instance, and a row a batch is writing right now is simply looked at again
 * on the next sweep.
 */
public final class ConnectivitySweeper {

    private static final Logger log = LoggerFactory.getLogger(ConnectivitySweeper.class);
    private static final int CHUNK = 1_000;

    private final Jdbi jdbi;
    private final StateRules rules;
    private final Clock clock;
    private final DeviceStateRepository states = new DeviceStateRepository();
    private final DeviceEventLog events = new DeviceEventLog();

    public ConnectivitySweeper(Jdbi jdbi, StateRules rules, Clock clock) {
        this.jdbi = jdbi;
        this.rules = rules;
        this.clock = clock;
    }

    /** One sweep; returns the connectivity changes it made. */
    public List<ConnectivityChange> sweep() {
        List<ConnectivityChange> all = new ArrayList<>();
        while (true) {
            Instant now = clock.instant();
            List<ConnectivityChange> changes = jdbi.inTransaction(handle -> {
                List<DeviceState> silent = states.lockDueToAge(handle, now.minus(rules.staleAfter()),
                        now.minus(rules.offlineAfter()), CHUNK);
                List<ConnectivityChange> made = new ArrayList<>();
                for (DeviceState s : silent) {
                    Optional<ConnectivityChange> change = rules.applySilence(s, now);
                    change.ifPresent(made::add);
                }
                states.save(handle, silent);
                events.recordAll(handle, made);
                return made;
            });
            all.addAll(changes);
            // Every row claimed is due, so a full chunk means there may be more.
            if (changes.size() < CHUNK) {
                break;
            }
        }
        if (!all.isEmpty()) {
            long offline = all.stream().filter(c -> c.current() == Connectivity.OFFLINE).count();
            log.info("Connectivity sweep: {} device(s) went stale, {} offline", all.size() - offline, offline);
        }
        return all;
    }
}
