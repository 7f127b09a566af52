package dev.signagefleet.agent.command;

import dev.signagefleet.agent.json.FlatJson;
import dev.signagefleet.agent.json.JsonSyntaxException;
import dev.signagefleet.agent.logging.DeviceLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which group the terminal belongs to, and so which group's commands (and content) it takes. The
 * config's {@code device.group} is where a terminal starts; an operator moves it with the retained
 * message {@code {"group":"osaka"}} (or {@code {"group":null}} for none) on
 * {@code cmd/signage/{deviceId}/group}. The agent keeps the group it was moved to in a file, so a
 * restart comes back in it, and the retained message sets it again on every connect.
 */
public final class GroupMembership {

    /** A group id, as the server and the config accept it. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final int MAX_PAYLOAD_BYTES = 1024;

    private final Path file;
    private final DeviceLog log;
    private Optional<String> group;

    /** A move: the group left and the group joined (either may be none). */
    public record Change(Optional<String> from, Optional<String> to) {
    }

    private GroupMembership(Path file, Optional<String> group, DeviceLog log) {
        this.file = file;
        this.group = group;
        this.log = log;
    }

    /** The topic of the move command for this terminal. */
    public static String topic(String deviceId) {
        return Command.deviceTopic(deviceId, "group");
    }

    /**
     * The group kept in {@code file} by an earlier move, else {@code configured}. A file that cannot
     * be read or holds no valid group is reported and ignored: the next connect sets the group again.
     */
    public static GroupMembership load(Path file, Optional<String> configured, DeviceLog log) {
        Objects.requireNonNull(configured, "configured");
        if (!Files.exists(file)) {
            return new GroupMembership(file, configured, log);
        }
        try {
            String kept = Files.readString(file, StandardCharsets.UTF_8).strip();
            Optional<String> group = kept.isEmpty() ? Optional.empty() : Optional.of(kept);
            if (group.isPresent() && !ID.matcher(group.get()).matches()) {
                log.warn("ignoring " + file + ": '" + kept + "' is not a group id; using the configured group "
                        + configured.orElse("(none)") + " until the server says otherwise");
                return new GroupMembership(file, configured, log);
            }
            if (!group.equals(configured)) {
                log.info("in group " + group.orElse("(none)") + " since the server moved this terminal (" + file
                        + "); the config says " + configured.orElse("(none)"));
            }
            return new GroupMembership(file, group, log);
        } catch (IOException e) {
            log.warn("cannot read " + file + " (" + e + "); using the configured group " + configured.orElse("(none)"));
            return new GroupMembership(file, configured, log);
        }
    }

    public Optional<String> current() {
        return group;
    }

    private static final String GROUP_TOPICS = "cmd/signage/group/";

    /** True for a topic under a group filter of a group this terminal is not in (any longer). */
    public boolean isOtherGroupsTopic(String topic) {
        return topic.startsWith(GROUP_TOPICS) && group.map(g -> !topic.startsWith(Command.groupTopic(g, ""))).orElse(true);
    }

    /**
     * Applies a move command.
     *
     * @return the change, empty when the terminal already is in that group or the payload is empty
     *     (a cleared retained message moves nobody)
     * @throws IllegalArgumentException saying what is wrong with the payload
     */
    public Optional<Change> apply(Command command) {
        byte[] payload = command.payload();
        if (payload.length == 0) {
            return Optional.empty();
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes, expected at most " + MAX_PAYLOAD_BYTES);
        }
        Map<String, FlatJson.Value> members;
        try {
            members = FlatJson.parse(command.payloadText());
        } catch (JsonSyntaxException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getMessage(), e);
        }
        FlatJson.Value value = members.get("group");
        Optional<String> wanted;
        if (value instanceof FlatJson.Null) {
            wanted = Optional.empty();
        } else if (value instanceof FlatJson.Text text && ID.matcher(text.value()).matches()) {
            wanted = Optional.of(text.value());
        } else {
            throw new IllegalArgumentException("\"group\" must be a group id ([A-Za-z0-9_-]{1,64}) or null, was "
                    + (value == null ? "missing" : command.payloadText()));
        }
        if (wanted.equals(group)) {
            return Optional.empty();
        }
        Change change = new Change(group, wanted);
        group = wanted;
        keep(wanted);
        return Optional.of(change);
    }

    private void keep(Optional<String> wanted) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, wanted.orElse("") + "\n", StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // not fatal: the retained move command sets the group again on the next connect
            log.warn("cannot keep the new group in " + file + " (" + e + "); after a restart the terminal starts in its "
                    + "configured group until the broker sends the move again");
        }
    }
}
