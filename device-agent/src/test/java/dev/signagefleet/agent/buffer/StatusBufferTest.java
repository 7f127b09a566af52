package dev.signagefleet.agent.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusBufferTest {

    @TempDir
    Path dir;

    @Test
    void messagesComeOutOldestFirstAndLeaveOnlyWhenRemoved() {
        StatusBuffer buffer = StatusBuffer.open(dir, 10, "dev-1");
        long first = buffer.append(bytes("one"));
        long second = buffer.append(bytes("two"));
        buffer.append(bytes("three"));

        assertThat(contents(buffer)).containsExactly("one", "two", "three");
        assertThat(buffer.firstAfter(first)).contains(second);

        buffer.remove(first);
        assertThat(contents(buffer)).containsExactly("two", "three");
        assertThat(buffer.size()).isEqualTo(2);
        assertThat(messageFiles()).hasSize(2);
    }

    @Test
    void whenFullTheOldestIsDroppedAndCounted() {
        StatusBuffer buffer = StatusBuffer.open(dir, 3, "dev-1");
        for (int i = 1; i <= 5; i++) {
            buffer.append(bytes("s" + i));
        }

        assertThat(contents(buffer)).containsExactly("s3", "s4", "s5");
        assertThat(buffer.dropped()).isEqualTo(2);
        assertThat(messageFiles()).hasSize(3);
    }

    @Test
    void aRestartTakesOverTheMessagesInOrderAndContinuesTheNumbering() throws IOException {
        StatusBuffer before = StatusBuffer.open(dir, 100, "dev-1");
        for (int i = 1; i <= 12; i++) {
            before.append(bytes("s" + i));
        }
        before.remove(before.firstAfter(0).orElseThrow());
        // a crash between writing and renaming leaves a temp file that is not a message
        Files.writeString(dir.resolve("0000000000000000099.json.tmp"), "half");

        StatusBuffer after = StatusBuffer.open(dir, 100, "dev-1");
        after.append(bytes("new"));

        assertThat(contents(after)).containsExactly("s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "new");
        assertThat(after.dropped()).isZero();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
        }
    }

    @Test
    void aLowerLimitAfterRestartKeepsTheNewest() {
        StatusBuffer before = StatusBuffer.open(dir, 100, "dev-1");
        for (int i = 1; i <= 5; i++) {
            before.append(bytes("s" + i));
        }

        StatusBuffer after = StatusBuffer.open(dir, 2, "dev-1");

        assertThat(contents(after)).containsExactly("s4", "s5");
    }

    @Test
    void anUnwritableDirectoryKeepsMessagesInMemoryAndRecoversWhenItIsWritableAgain() throws IOException {
        Path bufferDir = dir.resolve("buffer");
        StatusBuffer buffer = StatusBuffer.open(bufferDir, 4, "dev-1");
        buffer.append(bytes("on-disk"));

        // the directory disappears and a file takes its place: nothing can be written there
        Files.delete(bufferDir.resolve(messageFileNames(bufferDir).get(0)));
        Files.delete(bufferDir);
        Files.writeString(bufferDir, "not a directory");
        buffer.append(bytes("in-memory-1"));
        buffer.append(bytes("in-memory-2"));

        assertThat(buffer.isMemoryOnly()).isTrue();
        assertThat(contents(buffer)).as("the vanished file is skipped, memory messages are kept")
                .containsExactly("in-memory-1", "in-memory-2");

        Files.delete(bufferDir);
        buffer.append(bytes("on-disk-again"));

        assertThat(buffer.isMemoryOnly()).isFalse();
        assertThat(contents(buffer)).containsExactly("in-memory-1", "in-memory-2", "on-disk-again");
        assertThat(messageFileNames(bufferDir)).hasSize(1);
    }

    @Test
    void aBufferThatCannotBeCreatedStillWorksInMemoryWithItsBound() throws IOException {
        Path blocked = Files.writeString(dir.resolve("file"), "x").resolve("buffer");
        StatusBuffer buffer = StatusBuffer.open(blocked, 2, "dev-1");
        buffer.append(bytes("a"));
        buffer.append(bytes("b"));
        buffer.append(bytes("c"));

        assertThat(buffer.isMemoryOnly()).isTrue();
        assertThat(contents(buffer)).containsExactly("b", "c");
        assertThat(buffer.dropped()).isEqualTo(1);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the whole buffer oldest first, the way the forwarder walks it. */
    private static List<String> contents(StatusBuffer buffer) {
        List<String> out = new ArrayList<>();
        long index = 0;
        Optional<Long> next;
        while ((next = buffer.firstAfter(index)).isPresent()) {
            index = next.get();
            buffer.payload(index).ifPresent(payload -> out.add(new String(payload, StandardCharsets.UTF_8)));
        }
        return out;
    }

    private List<String> messageFiles() {
        return messageFileNames(dir);
    }

    private static List<String> messageFileNames(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).filter(name -> name.endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
