package dev.signagefleet.management.devices;

import dev.signagefleet.common.mqtt.ServiceClientIds;

import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.telemetry.registry.NewDevice;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registering one terminal, the same way from the API and the console: blank fields count as
 * absent, the rest is trimmed and checked against {@link NewDevice}'s rules, then registered.
 */
public final class DeviceRegistration {

    private static final Logger log = LoggerFactory.getLogger(DeviceRegistration.class);

    private DeviceRegistration() {
    }

    /** What came of a registration request. */
    public sealed interface Outcome {

        /** Registered; the credential in it is shown this once. */
        record Registered(DeviceRegistry.Registration registration) implements Outcome {
        }

        /** @param problems every problem, each starting with its field's name as {@link NewDevice#problems} words it */
        record Invalid(List<String> problems) implements Outcome {
        }

        /** @param message how to give the existing device a new credential instead */
        record AlreadyRegistered(String deviceId, String message) implements Outcome {
        }
    }

    /**
     * @param registeredBy who asked, stored with the device, e.g. {@code api:admin} or {@code console:admin}
     */
    public static Outcome register(DeviceRegistry registry, String deviceId, String group, String name, String location,
                                   String registeredBy) {
        String id = optional(deviceId);
        String g = optional(group);
        String n = optional(name);
        String l = optional(location);
        List<String> problems = problems(id, g, n, l);
        if (!problems.isEmpty()) {
            return new Outcome.Invalid(problems);
        }
        try {
            DeviceRegistry.Registration registration = registry.register(new NewDevice(id, g, n, l), registeredBy);
            log.info("Device {} registered in group {} by {}", id, g, registeredBy);
            return new Outcome.Registered(registration);
        } catch (DeviceRegistry.DeviceAlreadyRegisteredException e) {
            return new Outcome.AlreadyRegistered(id, e.getMessage());
        }
    }

    /** Ids the console's own pages use under /console/devices/: a device with one could never be opened. */
    public static final java.util.Set<String> RESERVED_IDS = java.util.Set.of("new", "import", "bulk",
            "group"); // cmd/signage/group/… are the groups' topics (TopicPolicy.RESERVED_GROUP_LEVEL in the broker)

    /** Every problem of a registration request: {@link NewDevice}'s rules and the reserved ids. */
    public static List<String> problems(String deviceId, String group, String name, String location) {
        List<String> problems = new java.util.ArrayList<>(NewDevice.problems(deviceId, group, name, location));
        if (deviceId != null && RESERVED_IDS.contains(deviceId)) {
            problems.add("deviceId '" + deviceId + "' is reserved (by the console or the broker's topics); choose another");
        }
        if (deviceId != null && ServiceClientIds.looksLikeAService(deviceId)) {
            problems.add("deviceId '" + deviceId + "' starts like the MQTT client id of a service ("
                    + String.join(", ", ServiceClientIds.PREFIXES) + "); choose another");
        }
        return problems;
    }

    /** A text field as the rules see it: null when missing or blank, else without surrounding spaces. */
    public static String optional(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
