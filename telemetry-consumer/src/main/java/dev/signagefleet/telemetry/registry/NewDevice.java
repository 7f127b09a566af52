package dev.signagefleet.telemetry.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * A registration request, validated at the edge.
 *
 * @param group    the group whose content the device shows (its own command topic); required
 * @param name     a human name, optional
 * @param location where it hangs, optional
 */
public record NewDevice(String deviceId, String group, String name, String location) {

    private static final java.util.regex.Pattern CONTROL = java.util.regex.Pattern.compile("\\p{Cntrl}");

    /** Every problem with the request, each naming its field; empty when it is valid. */
    public static List<String> problems(String deviceId, String group, String name, String location) {
        List<String> problems = new ArrayList<>();
        if (deviceId == null || !DeviceRegistry.ID.matcher(deviceId).matches()) {
            problems.add("deviceId must be 1 to 64 letters, digits, '-' or '_'");
        }
        if (group == null || !DeviceRegistry.ID.matcher(group).matches()) {
            problems.add("group must be 1 to 64 letters, digits, '-' or '_'");
        }
        if (name != null && (name.length() > 200 || CONTROL.matcher(name).find())) {
            problems.add("name must be at most 200 characters, without control characters");
        }
        if (location != null && (location.length() > 200 || CONTROL.matcher(location).find())) {
            problems.add("location must be at most 200 characters, without control characters");
        }
        return problems;
    }

    public NewDevice {
        List<String> problems = problems(deviceId, group, name, location);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }
}
