package dev.signagefleet.management.devices;

import dev.signagefleet.telemetry.registry.DeviceRegistry;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a device to another group, as the API and the console's bulk action do it:
 * <ol>
 * <li>the registry changes the group (the device's expected content and its broker permission
 * follow) and, with the device's row still locked, the terminal is told with a retained message its
 * agent follows (it leaves the old group's topics and subscribes the new group's, which its open
 * connection may not be allowed yet); if the message cannot go out, nothing changes;</li>
 * <li>its open connection is closed, so it logs in again with the new group's permission (the
 * broker then also drops the old group's subscription from its session).</li>
 * </ol>
 * The agent usually has the move before it reconnects; in any order it ends in the new group,
 * since every connect subscribes the agent's current group and the retained message arrives again.
 * Idempotent: moving a device to the group it is in tells the terminal again.
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
        /** The message to the terminal did not go out, so nothing changed: move it again. */
        NOT_TOLD,
        UNKNOWN_DEVICE
    }

    /**
     * @param from  the group it was in before, when known
     * @param error why the terminal was not told ({@link Status#NOT_TOLD} only; the device was not moved)
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
        DeviceRegistry.GroupMove result;
        try {
            result = registry.moveToGroup(deviceId, group, () -> commands.tellGroup(deviceId, group));
        } catch (DeviceRegistry.NotTold e) {
            String why = String.valueOf(e.getMessage());
            log.warn("Device {} was not moved to group {}: its terminal could not be told ({}); nothing changed, move it again",
                    deviceId, group, why);
            return new Outcome(deviceId, group, Status.NOT_TOLD, Optional.empty(), Optional.of(why));
        }
        if (result.outcome() == DeviceRegistry.Move.UNKNOWN_DEVICE) {
            return new Outcome(deviceId, group, Status.UNKNOWN_DEVICE, Optional.empty(), Optional.empty());
        }
        if (result.outcome() == DeviceRegistry.Move.MOVED) {
            log.info("Device {} moved from group {} to {} by {}", deviceId, result.previousGroup().orElse("(none)"), group, by);
            registry.closeConnection(deviceId, "moved to group " + group);
        }
        return new Outcome(deviceId, group, result.outcome() == DeviceRegistry.Move.MOVED ? Status.MOVED : Status.ALREADY_THERE,
                result.previousGroup(), Optional.empty());
    }
}
