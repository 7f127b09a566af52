package dev.signagefleet.agent.content;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ContentVersionTest {

    @Test
    void parsesGroupAtNumberAndNothingElse() {
        assertThat(ContentVersion.parse("tokyo-east@3")).contains(new ContentVersion("tokyo-east", 3));
        assertThat(ContentVersion.parse("a_B-9@123456789012345678")).contains(new ContentVersion("a_B-9", 123456789012345678L));
        for (String bad : new String[] {"", "tokyo-east", "tokyo-east@", "@3", "tokyo-east@0", "tokyo-east@03", "tokyo east@3",
                "a@b@3", "../x@3", "a/b@3", "tokyo-east@-1", "tokyo-east@1234567890123456789", "x".repeat(65) + "@1"}) {
            assertThat(ContentVersion.parse(bad)).as(bad).isEmpty();
        }
        assertThat(ContentVersion.parse(null)).isEmpty();
    }

    @Test
    void withinAGroupTheHigherNumberIsNewerAcrossGroupsNeitherIsOlder() {
        ContentVersion three = new ContentVersion("tokyo-east", 3);

        assertThat(new ContentVersion("tokyo-east", 2).isOlderThan(three)).isTrue();
        assertThat(new ContentVersion("tokyo-east", 10).isOlderThan(three)).as("numbers, not text").isFalse();
        assertThat(three.isOlderThan(new ContentVersion("tokyo-east", 10))).isTrue();
        assertThat(three.isOlderThan(three)).isFalse();
        assertThat(new ContentVersion("osaka", 1).isOlderThan(three)).isFalse();
        assertThat(three.isOlderThan(new ContentVersion("osaka", 1))).isFalse();
    }

    @Test
    void theDirectoryNameReplacesTheAtSignAndReadsBack() {
        ContentVersion version = new ContentVersion("tokyo-east", 3);

        assertThat(version.dirName()).isEqualTo("tokyo-east+3");
        assertThat(ContentVersion.fromDirName("tokyo-east+3")).contains(version);
        assertThat(ContentVersion.fromDirName("tokyo-east@3")).isEmpty();
        assertThat(ContentVersion.fromDirName("a+b+3")).isEmpty();
        assertThat(version).hasToString("tokyo-east@3");
    }
}
