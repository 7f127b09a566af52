package dev.signagefleet.management.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.telemetry.registry.NewDevice;
import dev.signagefleet.testing.PostgresExtension;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Moving devices between groups against a real PostgreSQL, in the order the terminal needs:
 * registry, then the message to the terminal, then the closed connection. The broker side of a
 * move is covered end to end by the launcher's TerminalsAdoptContentIT and the agent's GroupMoveIT;
 * here the terminal's messages and disconnects are recorded in a list.
 */
class DeviceMovesIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private final DeviceRegistry registry = new DeviceRegistry(db.jdbi(), Clock.systemUTC());
    private final String prefix = "mv" + UUID.randomUUID().toString().substring(0, 6);
    /** What reached the terminal side, in order: "told id group" and "closed id reason". */
    private final List<String> terminal = new CopyOnWriteArrayList<>();
    private volatile boolean brokerDown;

    private final DeviceCommands commands = new DeviceCommands() {
        @Override
        public void retryContent(String deviceId) {
            terminal.add("retry " + deviceId);
        }

        @Override
        public void tellGroup(String deviceId, String group) {
            if (brokerDown) {
                throw new IllegalStateException("the content registry is not connected to the MQTT broker");
            }
            terminal.add("told " + deviceId + " " + group);
        }
    };

    private DeviceMoves moves() {
        registry.onAccessChanged((deviceId, reason) -> terminal.add("closed " + deviceId + " " + reason));
        return new DeviceMoves(registry, commands);
    }

    @Test
    void aMoveChangesTheRegistryTellsTheTerminalThenClosesItsConnection() {
        String id = prefix + "-1";
        registry.register(new NewDevice(id, "tokyo-east", null, null), "test");

        DeviceMoves.Outcome outcome = moves().move(id, "osaka", "test");

        assertThat(outcome.status()).isEqualTo(DeviceMoves.Status.MOVED);
        assertThat(outcome.from()).contains("tokyo-east");
        assertThat(outcome.done()).isTrue();
        assertThat(registry.find(id).orElseThrow().group()).isEqualTo("osaka");
        assertThat(terminal).containsExactly("told " + id + " osaka", "closed " + id + " moved to group osaka");
    }

    @Test
    void movingToTheSameGroupAgainOnlyTellsTheTerminalAgain() {
        String id = prefix + "-2";
        registry.register(new NewDevice(id, "osaka", null, null), "test");

        DeviceMoves.Outcome outcome = moves().move(id, "osaka", "test");

        assertThat(outcome.status()).isEqualTo(DeviceMoves.Status.ALREADY_THERE);
        assertThat(outcome.done()).isTrue();
        assertThat(terminal).containsExactly("told " + id + " osaka");
    }

    @Test
    void aMoveWhoseMessageCannotGoOutChangesNothingAndCanBeRepeated() {
        String id = prefix + "-3";
        registry.register(new NewDevice(id, "tokyo-east", null, null), "test");
        DeviceMoves moves = moves();
        brokerDown = true;

        DeviceMoves.Outcome failed = moves.move(id, "nagoya", "test");

        assertThat(failed.status()).isEqualTo(DeviceMoves.Status.NOT_TOLD);
        assertThat(failed.done()).isFalse();
        assertThat(failed.error()).hasValueSatisfying(e -> assertThat(e).contains("not connected"));
        assertThat(registry.find(id).orElseThrow().group()).as("rolled back").isEqualTo("tokyo-east");
        assertThat(terminal).as("nothing told, nothing closed").isEmpty();

        brokerDown = false;
        DeviceMoves.Outcome repeated = moves.move(id, "nagoya", "test");
        assertThat(repeated.status()).isEqualTo(DeviceMoves.Status.MOVED);
        assertThat(terminal).containsExactly("told " + id + " nagoya", "closed " + id + " moved to group nagoya");
    }

    @Test
    void twoMovesAtOnceReachTheTerminalInTheOrderTheyReachTheRegistry() throws Exception {
        String id = prefix + "-5";
        registry.register(new NewDevice(id, "tokyo-east", null, null), "test");
        registry.onAccessChanged((deviceId, reason) -> { });
        java.util.concurrent.CountDownLatch firstTelling = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch releaseFirst = new java.util.concurrent.CountDownLatch(1);
        DeviceCommands slowFirst = new DeviceCommands() {
            @Override
            public void retryContent(String deviceId) {
            }

            @Override
            public void tellGroup(String deviceId, String group) throws Exception {
                if (group.equals("osaka")) {
                    firstTelling.countDown();
                    releaseFirst.await(); // the first mover is slow to publish
                }
                terminal.add("told " + deviceId + " " + group);
            }
        };
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(() -> new DeviceMoves(registry, slowFirst).move(id, "osaka", "first"));
            firstTelling.await();
            var second = pool.submit(() -> new DeviceMoves(registry, slowFirst).move(id, "nagoya", "second"));
            Thread.sleep(300); // the second mover waits for the device's row
            assertThat(terminal).isEmpty();
            releaseFirst.countDown();
            first.get();
            second.get();
        } finally {
            pool.shutdownNow();
        }
        // the last message the terminal got (the retained one) names the group the registry holds
        assertThat(terminal).containsExactly("told " + id + " osaka", "told " + id + " nagoya");
        assertThat(registry.find(id).orElseThrow().group()).isEqualTo("nagoya");
    }

    @Test
    void aDeviceThatOnlyReportedAndWasNeverRegisteredCannotBeMoved() {
        String id = prefix + "-6";
        db.jdbi().useHandle(h -> h.execute("INSERT INTO devices (device_id, registered_by) VALUES (?, 'first status')", id));
        assertThat(moves().move(id, "osaka", "test").status()).isEqualTo(DeviceMoves.Status.UNKNOWN_DEVICE);
        assertThat(terminal).isEmpty();
    }

    @Test
    void anUnknownDeviceAndAnInvalidGroupChangeNothing() {
        assertThat(moves().move(prefix + "-none", "osaka", "test").status()).isEqualTo(DeviceMoves.Status.UNKNOWN_DEVICE);
        assertThat(moves().move("not/an id", "osaka", "test").status()).isEqualTo(DeviceMoves.Status.UNKNOWN_DEVICE);
        String id = prefix + "-4";
        registry.register(new NewDevice(id, "osaka", null, null), "test");
        assertThatThrownBy(() -> moves().move(id, "osaka/#", "test")).isInstanceOf(IllegalArgumentException.class);
        assertThat(registry.find(id).map(DeviceRegistry.Device::group)).isEqualTo(Optional.of("osaka"));
        assertThat(terminal).isEmpty();
    }
}
