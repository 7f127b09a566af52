package dev.signagefleet.builder.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ContentVersionTest {

    @Test
    void versionsOnlyIncreaseAndRoundTripThroughText() {
        ContentVersion first = ContentVersion.first("tokyo-east");
        ContentVersion second = first.next();
        assertThat(second).isGreaterThan(first);
        assertThat(second.toString()).isEqualTo("tokyo-east@2");
        assertThat(ContentVersion.parse("tokyo-east@2")).isEqualTo(second);
    }

    @Test
    void malformedVersionsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> ContentVersion.parse("tokyo-east@0")).hasMessageContaining("group@number");
        assertThatThrownBy(() -> ContentVersion.parse("tokyo/east@1")).hasMessageContaining("group@number");
        assertThatThrownBy(() -> ContentVersion.first("a").compareTo(ContentVersion.first("b")))
                .hasMessageContaining("different groups");
    }
}
