package dev.signagefleet.agent.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageUnpackerTest {

    @TempDir
    Path dir;

    private final PackageUnpacker unpacker = new PackageUnpacker(10, 10_000);
    private int unpacked;

    @Test
    void unpacksAPackageWithItsFoldersAndNothingElse() throws IOException {
        Path target = unpack(TestPackages.player("g@1"));

        assertThat(Files.readString(target.resolve("index.html"))).isEqualTo(TestPackages.page("g@1"));
        assertThat(target.resolve("manifest.json")).isRegularFile();
        assertThat(Files.readString(target.resolve("assets/style.css"))).isEqualTo("body{margin:0}");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactlyInAnyOrder(dir.resolve("package.zip"), target);
        }
    }

    @Test
    void entriesThatWouldLandOutsideThePackageAreRefused() {
        for (String hostile : new String[] {"../evil.html", "assets/../../evil.html", "/etc/evil", "C:/evil", "c:evil",
                "assets\\..\\..\\evil", "a/../../b"}) {
            assertThatThrownBy(() -> unpack(packageWith(hostile, "x")))
                    .as(hostile)
                    .isInstanceOf(ContentException.class)
                    .hasMessageStartingWith("invalid package: entry '" + hostile + "'")
                    .satisfies(e -> assertThat(((ContentException) e).retry()).isEqualTo(ContentException.Retry.NEVER));
        }
        assertThat(dir.resolve("evil.html")).doesNotExist();
        assertThat(dir.getParent().resolve("evil.html")).doesNotExist();
    }

    @Test
    void aHarmlessDotDotInsideTheNameIsFine() throws IOException {
        Path target = unpack(packageWith("assets/..hidden..txt", "x"));

        assertThat(target.resolve("assets/..hidden..txt")).hasContent("x");
    }

    @Test
    void tooManyEntriesAreRefusedBeforeAnythingIsWritten() {
        Map<String, String> files = required();
        for (int i = 0; i < 9; i++) {
            files.put("slide-" + i + ".txt", "x");
        }

        assertThatThrownBy(() -> unpack(TestPackages.zip(files)))
                .hasMessage("invalid package: more than 10 entries (11)");
    }

    @Test
    void aZipBombStopsAtTheUnpackedLimitWhateverTheHeadersSay() {
        Map<String, String> files = required();
        files.put("bomb.txt", "0".repeat(20_000)); // compresses to a few dozen bytes
        byte[] zip = TestPackages.zip(files);
        assertThat(zip.length).isLessThan(1_000);

        assertThatThrownBy(() -> unpack(zip)).hasMessage("invalid package: unpacks to more than 10000 bytes");
    }

    @Test
    void aPackageWithoutItsPageOrManifestOrThatIsNoZipIsRefused() {
        assertThatThrownBy(() -> unpack(TestPackages.zip(Map.of("manifest.json", "{}"))))
                .hasMessage("invalid package: no index.html at the root of the package");
        assertThatThrownBy(() -> unpack(TestPackages.zip(Map.of("index.html", "<p>"))))
                .hasMessage("invalid package: no manifest.json at the root of the package");
        assertThatThrownBy(() -> unpack(TestPackages.zip(Map.of("sub/index.html", "<p>", "manifest.json", "{}"))))
                .hasMessage("invalid package: no index.html at the root of the package");
        assertThatThrownBy(() -> unpack("this is not a zip".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("invalid package: not a ZIP archive");
    }

    @Test
    void anEntryTwiceIsRefused() {
        Map<String, String> files = new LinkedHashMap<>(required());
        files.put("assets/a.txt", "1");
        files.put("assets/./a.txt", "2");

        assertThatThrownBy(() -> unpack(TestPackages.zip(files)))
                .hasMessage("invalid package: entry 'assets/./a.txt' appears twice");
    }

    @Test
    void theDefaultLimitsFollowTheMaximumPackageSize() {
        assertThat(PackageUnpacker.forMaxPackageBytes(1000)).isNotNull();
        assertThatThrownBy(() -> PackageUnpacker.forMaxPackageBytes(Long.MAX_VALUE)).isInstanceOf(ArithmeticException.class);
    }

    private Path unpack(byte[] zip) throws IOException {
        Path file = Files.write(dir.resolve("package.zip"), zip);
        Path target = dir.resolve("unpacked-" + ++unpacked);
        unpacker.unpack(file, target);
        return target;
    }

    private static byte[] packageWith(String name, String text) {
        Map<String, String> files = required();
        files.put(name, text);
        return TestPackages.zip(files);
    }

    private static Map<String, String> required() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("manifest.json", "{}");
        files.put("index.html", "<p>");
        return files;
    }
}
