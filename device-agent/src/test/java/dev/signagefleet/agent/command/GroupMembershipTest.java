package dev.signagefleet.agent.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signagefleet.agent.logging.DeviceLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupMembershipTest {

    @TempDir
    Path dir;

    private static Command move(String json) {
        return new Command("cmd/signage/kiosk/group", json.getBytes(StandardCharsets.UTF_8), true);
    }

    @Test
    void aMoveIsKeptAndOnlyTheCurrentGroupsTopicsAreThisTerminals() throws Exception {
        Path file = dir.resolve("group");
        GroupMembership membership = GroupMembership.load(file, Optional.of("lobby"), new DeviceLog(GroupMembershipTest.class, "kiosk"));
        assertThat(membership.isOtherGroupsTopic("cmd/signage/group/lobby/content")).isFalse();
        assertThat(membership.isOtherGroupsTopic("cmd/signage/group/osaka/content")).isTrue();
        assertThat(membership.isOtherGroupsTopic("cmd/signage/group/lobby-2/content")).isTrue();
        assertThat(membership.isOtherGroupsTopic("cmd/signage/kiosk/content")).isFalse();

        assertThat(membership.apply(move("{\"group\":\"osaka\"}")))
                .contains(new GroupMembership.Change(Optional.of("lobby"), Optional.of("osaka")));
        assertThat(membership.isOtherGroupsTopic("cmd/signage/group/lobby/content")).isTrue();
        assertThat(membership.isOtherGroupsTopic("cmd/signage/group/osaka/content")).isFalse();
        assertThat(Files.readString(file).strip()).isEqualTo("osaka");
        assertThat(membership.apply(move("{\"group\":\"osaka\"}"))).as("the same group again").isEmpty();
        assertThat(membership.apply(move(""))).as("a cleared retained message").isEmpty();

        GroupMembership restarted = GroupMembership.load(file, Optional.of("lobby"), new DeviceLog(GroupMembershipTest.class, "kiosk"));
        assertThat(restarted.current()).contains("osaka");

        assertThat(restarted.apply(move("{\"group\":null}"))).contains(new GroupMembership.Change(Optional.of("osaka"), Optional.empty()));
        assertThat(restarted.isOtherGroupsTopic("cmd/signage/group/osaka/content")).isTrue();
        assertThatThrownBy(() -> restarted.apply(move("{\"group\":\"a/#\"}"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> restarted.apply(move("{\"group\":7}"))).isInstanceOf(IllegalArgumentException.class);
    }
}
