package dev.signagefleet.agent.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {

    @TempDir
    Path dir;

    @Test
    void withoutContentNothingIsCurrentAndNothingIsCreated() {
        ContentStore store = new ContentStore(dir.resolve("lobby-01"));

        assertThat(store.current()).isEmpty();
        assertThat(store.prune()).isEmpty();
        assertThat(dir.resolve("lobby-01")).doesNotExist();
    }

    @Test
    void theCurrentPointerNamesTheVersionDirectoryAndReadsBack() throws IOException {
        ContentStore store = new ContentStore(dir.resolve("lobby-01"));
        ContentVersion version = new ContentVersion("tokyo-east", 3);
        store.install(version, unpacked("a"));

        store.switchTo(version);

        assertThat(dir.resolve("lobby-01/current")).hasContent("versions/tokyo-east+3\n");
        assertThat(store.current()).contains(version);
        assertThat(new ContentStore(dir.resolve("lobby-01")).current()).as("a new agent reads the same").contains(version);
        assertThat(store.versionDir(version).resolve("index.html")).hasContent("a");
        assertThat(dir.resolve("lobby-01/current.tmp")).doesNotExist();
    }

    @Test
    void aPointerThatNamesNothingUsableIsAnErrorNotAVersion() throws IOException {
        ContentStore store = new ContentStore(dir);

        Files.writeString(dir.resolve("current"), "versions/tokyo-east+3\n");
        assertThatThrownBy(store::current).hasMessageContaining("names versions/tokyo-east+3, which does not exist");
        Files.writeString(dir.resolve("current"), "../../etc\n");
        assertThatThrownBy(store::current).hasMessageContaining("does not name a version directory: '../../etc'");
    }

    @Test
    void installingReplacesALeftoverOfTheSameVersion() throws IOException {
        ContentStore store = new ContentStore(dir);
        ContentVersion version = new ContentVersion("g", 1);
        store.install(version, unpacked("old"));
        Files.writeString(store.versionDir(version).resolve("stale.txt"), "x");

        store.install(version, unpacked("new"));

        assertThat(store.versionDir(version).resolve("index.html")).hasContent("new");
        assertThat(store.versionDir(version).resolve("stale.txt")).doesNotExist();
    }

    @Test
    void pruningKeepsTheCurrentAndTheTwoMostRecentOthersAndEmptiesTmp() throws IOException {
        ContentStore store = new ContentStore(dir);
        Instant t = Instant.parse("2026-11-23T09:00:00Z");
        for (int n = 1; n <= 5; n++) {
            ContentVersion version = new ContentVersion("g", n);
            store.install(version, unpacked("v" + n));
            Files.setLastModifiedTime(store.versionDir(version), FileTime.from(t.plusSeconds(n)));
        }
        store.switchTo(new ContentVersion("g", 2)); // e.g. a newer one never got switched to
        Path leftover = store.newWorkDir();
        Files.writeString(leftover.resolve("package.zip"), "partial");

        assertThat(store.prune()).containsExactlyInAnyOrder("g+1", "g+3");

        try (var versions = Files.list(dir.resolve("versions"))) {
            assertThat(versions.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("g+2", "g+4", "g+5");
        }
        assertThat(dir.resolve("tmp")).doesNotExist();
        assertThat(store.current()).contains(new ContentVersion("g", 2));
    }

    private Path unpacked(String page) throws IOException {
        Path unpacked = Files.createDirectories(dir.resolve("work-" + System.nanoTime()));
        Files.writeString(unpacked.resolve("index.html"), page);
        Files.writeString(unpacked.resolve("manifest.json"), "{}");
        return unpacked;
    }
}
