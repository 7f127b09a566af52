package dev.signagefleet.management.devices;

import dev.signagefleet.telemetry.registry.DeviceRegistry;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a device to another group, as the API and the console's bulk action do it:
 * <ol>
 * <li>the registry: the device's expected content and its broker permission follow the group;</li>
 * <li>the terminal is told, with a retained message its agent follows (it leaves the old group's
 * topics and subscribes the new group's, which its open connection may not be allowed yet);</li>
 * <li>its open connection is closed, so it logs in again with the new group's permission.</li>
 * </ol>
 * In that order the agent usually has the move before it reconnects; in any order it ends in the
 * new group, since every connect subscribes the agent's current group and the retained message
 * arrives again. Idempotent: moving a device to the group it is in tells the terminal again,
 * which repairs a move whose message did not go out.
 */
public final class DeviceMoves {

    private static final Logger log = LoggerFactory.getLogger(DeviceMoves.class);

    private final DeviceRegistry registry;
    private final DeviceCommands commands;

    /** What became of one device. */
    public enum Status {
        /** In the new group, and its terminal was told. */
        MOVED,
        /** It was in that group already; its terminal was told again. */
        ALREADY_THERE,
        /** In the new group, but the message to the terminal did not go out: move it again. */
        NOT_TOLD,
        UNKNOWN_DEVICE
    }

    /**
     * @param from  the group it was in before, when known
     * @param error why the terminal was not told ({@link Status#NOT_TOLD} only)
     */
    public record Outcome(String deviceId, String group, Status status, Optional<String> from, Optional<String> error) {

        /** True when the device is in the group and its terminal knows. */
        public boolean done() {
            return status == Status.MOVED || status == Status.ALREADY_THERE;
        }
    }

    public DeviceMoves(DeviceRegistry registry, DeviceCommands commands) {
        this.registry = registry;
        this.commands = commands;
    }

    /**
     * @throws IllegalArgumentException when {@code group} is not a valid group id
     */
    public Outcome move(String deviceId, String group, String by) {
        DeviceRegistry.GroupMove result = registry.moveToGroup(deviceId, group);
        DeviceRegistry.Move move = result.outcome();
        Optional<String> from = result.previousGroup();
        if (move == DeviceRegistry.Move.UNKNOWN_DEVICE) {
            return new Outcome(deviceId, group, Status.UNKNOWN_DEVICE, Optional.empty(), Optional.empty());
        }
        if (move == DeviceRegistry.Move.MOVED) {
            log.info("Device {} moved from group {} to {} by {}", deviceId, from.orElse("(none)"), group, by);
        }
        Optional<String> notTold = Optional.empty();
        try {
            commands.tellGroup(deviceId, group);
        } catch (Exception e) {
            notTold = Optional.of(String.valueOf(e.getMessage()));
            log.warn("Device {} is in group {} now, but its terminal could not be told ({}); move it again to resend",
                    deviceId, group, notTold.get());
        }
        if (move == DeviceRegistry.Move.MOVED) {
            registry.closeConnection(deviceId, "moved to group " + group);
        }
        if (notTold.isPresent()) {
            return new Outcome(deviceId, group, Status.NOT_TOLD, from, notTold);
        }
        return new Outcome(deviceId, group,
                move == DeviceRegistry.Move.MOVED ? Status.MOVED : Status.ALREADY_THERE, from, Optional.empty());
    }
}
