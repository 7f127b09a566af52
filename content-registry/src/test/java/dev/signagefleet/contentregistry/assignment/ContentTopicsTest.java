package dev.signagefleet.contentregistry.assignment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ContentTopicsTest {

    @Test
    void groupAndDeviceTopicsFollowTheDevicePolicy() {
        assertThat(ContentTopics.forGroup("tokyo-east")).isEqualTo("cmd/signage/group/tokyo-east/content");
        assertThat(ContentTopics.forDevice("lobby-01")).isEqualTo("cmd/signage/lobby-01/content");
    }

    @Test
    void idsThatWouldReachOtherTopicsAreRefused() {
        assertThatThrownBy(() -> ContentTopics.forGroup("#")).hasMessageContaining("group");
        assertThatThrownBy(() -> ContentTopics.forDevice("a/b")).hasMessageContaining("device id");
        assertThatThrownBy(() -> ContentTopics.forDevice("+")).isInstanceOf(IllegalArgumentException.class);
    }
}
