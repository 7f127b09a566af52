package dev.signagefleet.contentregistry.assignment;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Where content assignments are published for terminals: retained, QoS 1, on
 * {@code cmd/signage/group/{group}/content} for a group and {@code cmd/signage/{deviceId}/content}
 * for one terminal; the topics a device may subscribe to by the broker's policy.
 */
public final class ContentTopics {

    private static final Pattern ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

    /** Topic filters the service account needs on the broker (the AWS IoT policy grants the same). */
    public static final List<String> BROKER_PUBLISH = List.of("cmd/signage/#", "evt/#");

    private ContentTopics() {
    }

    public static String forGroup(String group) {
        return "cmd/signage/group/" + checked(group, "group") + "/content";
    }

    public static String forDevice(String deviceId) {
        return "cmd/signage/" + checked(deviceId, "device id") + "/content";
    }

    /** Where one terminal is asked to fetch its assigned content again now (not retained). */
    public static String retryForDevice(String deviceId) {
        return "cmd/signage/" + checked(deviceId, "device id") + "/content-retry";
    }

    /**
     * Where one terminal is told which group it is in ({@code {"group":"osaka"}}, retained): the
     * terminal then takes that group's commands and content.
     */
    public static String groupOfDevice(String deviceId) {
        return "cmd/signage/" + checked(deviceId, "device id") + "/group";
    }

    /** The payload of {@link #groupOfDevice}. */
    public static byte[] groupPayload(String group) {
        return ("{\"group\":\"" + checked(group, "group") + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String checked(String id, String what) {
        if (id == null || !ID.matcher(id).matches()) {
            // An id with '/', '+' or '#' would address other terminals' topics.
            throw new IllegalArgumentException(what + " must be 1 to 64 letters, digits, '-' or '_', was '" + id + "'");
        }
        return id;
    }
}
