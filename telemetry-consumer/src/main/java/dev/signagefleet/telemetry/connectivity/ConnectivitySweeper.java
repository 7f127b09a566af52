package dev.signagefleet.telemetry.connectivity;

import dev.signagefleet.telemetry.state.DeviceState;
import dev.signagefleet.telemetry.state.DeviceStateRepository;
import dev.signagefleet.telemetry.state.StateRules;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ages silent devices (online → stale → offline) and records the events. Safe with several
 * consumer instances: rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so each transition is
 * decided by exactly one instance, and a row a batch is writing right now is simply looked at again
 * on the next sweep.
 *
 * <p>Silence is only counted while this consumer is listening: after it (re)connects, messages of
 * the outage are still coming out of the broker's queue, so a device is not called silent for time
 * the consumer itself was away. While it is not listening, it does not sweep at all.
 */
public final class ConnectivitySweeper {

    private static final Logger log = LoggerFactory.getLogger(ConnectivitySweeper.class);
    private static final int CHUNK = 1_000;

    private final Jdbi jdbi;
    private final StateRules rules;
    private final Clock clock;
    private final DeviceStateRepository states = new DeviceStateRepository();
    private final DeviceEventLog events = new DeviceEventLog();
    private final Supplier<Optional<Instant>> listeningSince;

    /**
     * @param listeningSince since when the consumer has been receiving, empty while it is not
     */
    public ConnectivitySweeper(Jdbi jdbi, StateRules rules, Clock clock, Supplier<Optional<Instant>> listeningSince) {
        this.jdbi = jdbi;
        this.rules = rules;
        this.clock = clock;
        this.listeningSince = listeningSince;
    }

    /** One sweep; returns the connectivity changes it made. */
    public List<ConnectivityChange> sweep() {
        Optional<Instant> listening = listeningSince.get();
        if (listening.isEmpty()) {
            return List.of();
        }
        Instant floor = listening.get();
        List<ConnectivityChange> all = new ArrayList<>();
        while (true) {
            Instant now = clock.instant();
            Instant staleBefore = now.minus(rules.staleAfter());
            Instant offlineBefore = now.minus(rules.offlineAfter());
            if (!floor.isBefore(staleBefore)) {
                break;
            }
            // Stale devices are only due for offline once the consumer has listened for the whole period.
            Instant staleDueBefore = floor.isBefore(offlineBefore) ? offlineBefore : Instant.EPOCH;
            List<ConnectivityChange> changes = jdbi.inTransaction(handle -> {
                List<DeviceState> silent = states.lockDueToAge(handle, staleBefore, staleDueBefore, CHUNK);
                List<ConnectivityChange> made = new ArrayList<>();
                for (DeviceState s : silent) {
                    Optional<ConnectivityChange> change = rules.applySilence(s, now, floor);
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
