package dev.signagefleet.telemetry.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.telemetry.connectivity.Connectivity;
import dev.signagefleet.telemetry.connectivity.ConnectivityChange;
import dev.signagefleet.telemetry.presence.Presence;
import dev.signagefleet.telemetry.status.DeviceStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StateRulesTest {

    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");
    private static final Instant LONG_AGO = T0.minusSeconds(86_400);
    private final StateRules rules = new StateRules(Duration.ofSeconds(30));

    private static DeviceStatus status(String boot, long seq, Instant sentAt) {
        return new DeviceStatus("lobby-01", boot, seq, sentAt, "1.0.0", 10L, 0.1, 100L, 2048L, 5000L, 40.0,
                "on", null, null, "10.0.0.1", "Linux", null);
    }

    private static DeviceState fresh() {
        return DeviceState.neverSeen("lobby-01", "tokyo", T0.minusSeconds(3600));
    }

    @Test
    void higherSeqWinsWithinABoot() {
        DeviceState s = fresh();
        rules.applyStatus(s, status("b1", 5, T0), T0);
        rules.applyStatus(s, status("b1", 3, T0.plusSeconds(10)), T0.plusSeconds(1));
        assertThat(s.latest().seq()).isEqualTo(5);
        rules.applyStatus(s, status("b1", 6, T0.minusSeconds(10)), T0.plusSeconds(2));
        assertThat(s.latest().seq()).isEqualTo(6);
    }

    @Test
    void laterSentAtWinsAcrossBoots() {
        DeviceState s = fresh();
        rules.applyStatus(s, status("b2", 1, T0), T0);
        rules.applyStatus(s, status("b1", 900, T0.minusSeconds(60)), T0.plusSeconds(1));
        assertThat(s.latest().bootId()).isEqualTo("b2");
        rules.applyStatus(s, status("b3", 1, T0.plusSeconds(5)), T0.plusSeconds(2));
        assertThat(s.latest().bootId()).isEqualTo("b3");
    }

    @Test
    void aClockRunningAheadDoesNotFreezeTheStateAcrossBoots() {
        DeviceState s = fresh();
        // A status stamped three hours ahead, received now...
        rules.applyStatus(s, status("manual", 1, T0.plusSeconds(3 * 3600)), T0);
        // ...does not outrank a real boot reporting a minute later.
        rules.applyStatus(s, status("b2", 1, T0.plusSeconds(60)), T0.plusSeconds(60));
        assertThat(s.latest().bootId()).isEqualTo("b2");
    }

    @Test
    void duplicateStatusChangesNothingButLastSeen() {
        DeviceState s = fresh();
        rules.applyStatus(s, status("b1", 1, T0), T0);
        DeviceStatus before = s.latest();
        s.statusChanged = false;
        Optional<ConnectivityChange> change = rules.applyStatus(s, status("b1", 1, T0), T0.plusSeconds(1));
        assertThat(change).isEmpty();
        assertThat(s.statusChanged()).isFalse();
        assertThat(s.latest()).isSameAs(before);
        assertThat(s.lastSeenAt()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void firstStatusBringsDeviceOnline() {
        DeviceState s = fresh();
        Optional<ConnectivityChange> change = rules.applyStatus(s, status("b1", 1, T0), T0);
        assertThat(change).get().extracting(ConnectivityChange::previous, ConnectivityChange::current)
                .containsExactly(Connectivity.NEVER_SEEN, Connectivity.ONLINE);
        assertThat(change.get().eventType()).isEqualTo("signage.device.online.v1");
    }

    @Test
    void willOfTheCurrentConnectionTakesTheDeviceOffline() {
        DeviceState s = fresh();
        rules.applyPresence(s, new Presence("lobby-01", "b1", true, T0, 1, "connected"), T0);
        Optional<ConnectivityChange> change = rules.applyPresence(s,
                new Presence("lobby-01", "b1", false, T0, 1, "connection-lost"), T0.plusSeconds(40));
        assertThat(change).get().extracting(ConnectivityChange::current).isEqualTo(Connectivity.OFFLINE);
        assertThat(s.reason()).isEqualTo("connection lost (last will)");
    }

    @Test
    void lateWillOfAnOlderConnectionIsIgnored() {
        DeviceState s = fresh();
        rules.applyPresence(s, new Presence("lobby-01", "b1", true, T0.plusSeconds(5), 2, "connected"), T0.plusSeconds(5));
        Optional<ConnectivityChange> change = rules.applyPresence(s,
                new Presence("lobby-01", "b1", false, T0, 1, "connection-lost"), T0.plusSeconds(6));
        assertThat(change).isEmpty();
        assertThat(s.connectivity()).isEqualTo(Connectivity.ONLINE);
    }

    @Test
    void lateWillOfAnEarlierBootIsIgnored() {
        DeviceState s = fresh();
        rules.applyPresence(s, new Presence("lobby-01", "b2", true, T0.plusSeconds(60), 1, "connected"), T0.plusSeconds(60));
        assertThat(rules.applyPresence(s, new Presence("lobby-01", "b1", false, T0, 3, "connection-lost"),
                T0.plusSeconds(61))).isEmpty();
        assertThat(s.connectivity()).isEqualTo(Connectivity.ONLINE);
    }

    @Test
    void lateStatusOfTheSameBootDoesNotUndoAnOfflinePresence() {
        DeviceState s = fresh();
        rules.applyPresence(s, new Presence("lobby-01", "b1", true, T0, 1, "connected"), T0);
        rules.applyPresence(s, new Presence("lobby-01", "b1", false, T0.plusSeconds(100), 1, "shutdown"), T0.plusSeconds(100));
        assertThat(rules.applyStatus(s, status("b1", 9, T0.plusSeconds(99)), T0.plusSeconds(101))).isEmpty();
        assertThat(s.connectivity()).isEqualTo(Connectivity.OFFLINE);
        assertThat(s.reason()).isEqualTo("agent shut down cleanly");
    }

    @Test
    void silenceMakesADeviceStaleThenOffline() {
        DeviceState s = fresh();
        rules.applyStatus(s, status("b1", 1, T0), T0);
        assertThat(rules.applySilence(s, T0.plusSeconds(59), LONG_AGO)).isEmpty();
        assertThat(rules.applySilence(s, T0.plusSeconds(60), LONG_AGO)).get()
                .extracting(ConnectivityChange::current).isEqualTo(Connectivity.STALE);
        assertThat(rules.applySilence(s, T0.plusSeconds(89), LONG_AGO)).isEmpty();
        assertThat(rules.applySilence(s, T0.plusSeconds(90), LONG_AGO)).get()
                .extracting(ConnectivityChange::current).isEqualTo(Connectivity.OFFLINE);
        assertThat(s.reason()).isEqualTo("no message for 90 s");
        assertThat(rules.applySilence(s, T0.plusSeconds(500), LONG_AGO)).isEmpty();
    }

    @Test
    void silenceWhileTheConsumerWasNotListeningDoesNotCount() {
        DeviceState s = fresh();
        rules.applyStatus(s, status("b1", 1, T0), T0);
        Instant reconnected = T0.plusSeconds(600);
        assertThat(rules.applySilence(s, reconnected.plusSeconds(30), reconnected)).isEmpty();
        assertThat(rules.applySilence(s, reconnected.plusSeconds(60), reconnected)).get()
                .extracting(ConnectivityChange::current).isEqualTo(Connectivity.STALE);
        assertThat(s.reason()).isEqualTo("no message for 60 s");
    }

    @Test
    void statusBringsAStaleDeviceBackOnline() {
        DeviceState s = fresh();
        rules.applyStatus(s, status("b1", 1, T0), T0);
        rules.applySilence(s, T0.plusSeconds(61), LONG_AGO);
        Optional<ConnectivityChange> back = rules.applyStatus(s, status("b1", 2, T0.plusSeconds(62)), T0.plusSeconds(62));
        assertThat(back).get().extracting(ConnectivityChange::previous, ConnectivityChange::current)
                .containsExactly(Connectivity.STALE, Connectivity.ONLINE);
    }
}
