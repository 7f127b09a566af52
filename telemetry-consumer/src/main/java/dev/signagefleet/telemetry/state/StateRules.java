package dev.signagefleet.telemetry.state;

import dev.signagefleet.telemetry.connectivity.Connectivity;
import dev.signagefleet.telemetry.connectivity.ConnectivityChange;
import dev.signagefleet.telemetry.presence.Presence;
import dev.signagefleet.telemetry.status.DeviceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How messages and silence move a device's state. Pure: no I/O, the caller passes the time.
 *
 * <ul>
 *   <li>A status replaces the latest one only when it is newer (see {@link DeviceStatus#isNewerThan}:
 *       higher seq in the same boot, later send time, capped by the receive time, across boots);
 *       duplicates and late arrivals still count as a sign of life.</li>
 *   <li>A status brings a device online, except one that went offline through its own presence
 *       message in the same boot: a late status from before that disconnect must not undo it (the
 *       agent announces its reconnect with an "online" presence).</li>
 *   <li>A presence message applies only when newer (see {@link Presence#isNewerThan}).</li>
 *   <li>Silence: stale after {@code staleAfter}, offline after {@code offlineAfter}.</li>
 * </ul>
 */
public final class StateRules {

    private final Duration staleAfter;
    private final Duration offlineAfter;

    public StateRules(Duration heartbeat) {
        this.staleAfter = heartbeat.multipliedBy(2);
        this.offlineAfter = heartbeat.multipliedBy(3);
    }

    public Duration staleAfter() {
        return staleAfter;
    }

    public Duration offlineAfter() {
        return offlineAfter;
    }

    public Optional<ConnectivityChange> applyStatus(DeviceState s, DeviceStatus status, Instant receivedAt) {
        Instant currentEffectiveAt = s.latest == null ? null : s.latest.effectiveAt(s.latestReceivedAt);
        if (status.isNewerThan(latestBoot(s), latestSeq(s), currentEffectiveAt, receivedAt)) {
            s.latest = status;
            s.latestReceivedAt = receivedAt;
            s.statusChanged = true;
            s.changed = true;
        }
        seen(s, receivedAt);
        boolean offlineByOwnPresence = s.connectivity == Connectivity.OFFLINE
                && Boolean.FALSE.equals(s.presenceOnline)
                && status.bootId().equals(s.presenceBootId);
        if (s.connectivity == Connectivity.ONLINE || offlineByOwnPresence || decidedLater(s, receivedAt)) {
            return Optional.empty();
        }
        return Optional.of(move(s, Connectivity.ONLINE, "status received", receivedAt, status.bootId()));
    }

    public Optional<ConnectivityChange> applyPresence(DeviceState s, Presence received, Instant receivedAt) {
        // As for statuses, a device clock ahead of ours counts as our clock when ordering across boots.
        Presence p = received.at().isAfter(receivedAt)
                ? new Presence(received.deviceId(), received.bootId(), received.online(), receivedAt, received.conn(), received.reason())
                : received;
        if (!p.isNewerThan(s.presenceBootId, s.presenceConn, s.presenceOnline, s.presenceAt)) {
            return Optional.empty();
        }
        s.presenceBootId = p.bootId();
        s.presenceConn = p.conn();
        s.presenceOnline = p.online();
        s.presenceAt = p.at();
        s.changed = true;
        if (p.online()) {
            seen(s, receivedAt);
            if (s.connectivity == Connectivity.ONLINE || decidedLater(s, receivedAt)) {
                return Optional.empty();
            }
            return Optional.of(move(s, Connectivity.ONLINE, "connected", receivedAt, p.bootId()));
        }
        if (s.connectivity == Connectivity.OFFLINE) {
            return Optional.empty();
        }
        return Optional.of(move(s, Connectivity.OFFLINE, p.offlineReason(), receivedAt, p.bootId()));
    }

    /**
     * Ages a silent device: online → stale → offline.
     *
     * @param listeningSince silence before this does not count (the consumer was not receiving)
     */
    public Optional<ConnectivityChange> applySilence(DeviceState s, Instant now, Instant listeningSince) {
        if (s.lastSeenAt == null || (s.connectivity != Connectivity.ONLINE && s.connectivity != Connectivity.STALE)) {
            return Optional.empty();
        }
        Instant from = s.lastSeenAt.isAfter(listeningSince) ? s.lastSeenAt : listeningSince;
        Duration silent = Duration.between(from, now);
        // Rounded: the database keeps microseconds, so a stored time may differ from the clock's by a hair.
        String reason = "no message for " + Math.round(silent.toMillis() / 1000.0) + " s";
        if (silent.compareTo(offlineAfter) >= 0) {
            return Optional.of(move(s, Connectivity.OFFLINE, reason, now, latestBoot(s)));
        }
        if (silent.compareTo(staleAfter) >= 0 && s.connectivity == Connectivity.ONLINE) {
            return Optional.of(move(s, Connectivity.STALE, reason, now, latestBoot(s)));
        }
        return Optional.empty();
    }

    /**
     * The current connectivity was decided after this message was received: a quarantined message
     * replayed later, or another consumer instance's later batch committed first. Such a message
     * still counts for the latest status and last seen, but does not move connectivity back. (A device
     * never seen has had nothing decided: its first message moves it, and the sweeper ages it.)
     */
    private static boolean decidedLater(DeviceState s, Instant receivedAt) {
        return s.connectivity != Connectivity.NEVER_SEEN && s.since != null && receivedAt.isBefore(s.since);
    }

    private static void seen(DeviceState s, Instant receivedAt) {
        if (s.lastSeenAt == null || receivedAt.isAfter(s.lastSeenAt)) {
            s.lastSeenAt = receivedAt;
            s.changed = true;
        }
    }

    private static ConnectivityChange move(DeviceState s, Connectivity to, String reason, Instant at, String bootId) {
        Connectivity from = s.connectivity;
        s.connectivity = to;
        s.reason = reason;
        s.since = at;
        s.changed = true;
        return new ConnectivityChange(s.deviceId, s.group, from, to, reason, at, s.lastSeenAt, bootId);
    }

    private static String latestBoot(DeviceState s) {
        return s.latest == null ? null : s.latest.bootId();
    }

    private static Long latestSeq(DeviceState s) {
        return s.latest == null ? null : s.latest.seq();
    }

}
