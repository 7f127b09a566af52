package dev.signagefleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warning about an archive named on the command line that the JVM does not use, from fixed /proc files. */
class SharedArchiveCheckTest {

    @TempDir
    Path dir;
    private int files;

    @Test
    void nothingToSayWithoutAnArchiveOnTheCommandLine() throws IOException {
        Path cmdline = cmdline("java", "-Xmx24m", "-jar", "device-agent.jar", "--config", "agent.properties");

        assertThat(SharedArchiveCheck.problem(cmdline, maps(""), Map.of())).isEmpty();
    }

    @Test
    void nothingToSayWhenTheArchiveIsMapped() throws IOException {
        Path archive = Files.write(dir.resolve("agent.jsa"), new byte[] {1});
        Path cmdline = cmdline("java", "-XX:SharedArchiveFile=" + archive, "-jar", "device-agent.jar");

        assertThat(SharedArchiveCheck.problem(cmdline, maps(mapLine(archive.toRealPath().toString())), Map.of())).isEmpty();
    }

    @Test
    void aMissingArchiveIsNamedWithTheTrainingRun() throws IOException {
        Path archive = dir.resolve("gone.jsa");
        Path cmdline = cmdline("java", "-XX:SharedArchiveFile=" + archive, "-jar", "device-agent.jar");

        assertThat(SharedArchiveCheck.problem(cmdline, maps(""), Map.of())).hasValueSatisfying(problem -> assertThat(problem)
                .contains(archive.toString(), "does not exist", "-XX:ArchiveClassesAtExit=" + archive, "--exit-after-first-status"));
    }

    @Test
    void anArchiveThatExistsButIsNotMappedIsStaleOrDamaged() throws IOException {
        Path archive = Files.write(dir.resolve("agent.jsa"), new byte[] {1});
        Path cmdline = cmdline("java", "-XX:SharedArchiveFile=" + archive, "-jar", "device-agent.jar");
        Path maps = maps(mapLine("/usr/lib/jvm/java-17-openjdk-amd64/lib/server/classes.jsa"));

        assertThat(SharedArchiveCheck.problem(cmdline, maps, Map.of())).hasValueSatisfying(problem -> assertThat(problem)
                .contains(archive.toString(), "is not in use", "another JDK", "another device-agent.jar"));
    }

    @Test
    void theOptionVariablesCountAndTheLastOptionWins() throws IOException {
        Path used = Files.write(dir.resolve("used.jsa"), new byte[] {1});
        Path cmdline = cmdline("java", "-jar", "device-agent.jar");
        Path maps = maps(mapLine(used.toRealPath().toString()));

        assertThat(SharedArchiveCheck.problem(cmdline, maps, Map.of("JAVA_TOOL_OPTIONS", "-XX:SharedArchiveFile=" + used)))
                .isEmpty();
        assertThat(SharedArchiveCheck.problem(cmdline("java", "-XX:SharedArchiveFile=" + dir.resolve("old.jsa"),
                "-XX:SharedArchiveFile=" + used, "-jar", "device-agent.jar"), maps, Map.of())).isEmpty();
        assertThat(SharedArchiveCheck.problem(cmdline, maps, Map.of("JDK_JAVA_OPTIONS", "-XX:SharedArchiveFile=" + dir.resolve("x.jsa"))))
                .hasValueSatisfying(problem -> assertThat(problem).contains("does not exist"));
    }

    private Path cmdline(String... args) throws IOException {
        return Files.writeString(dir.resolve("cmdline-" + ++files), String.join("\0", args) + "\0");
    }

    private Path maps(String text) throws IOException {
        return Files.writeString(dir.resolve("maps"), text);
    }

    private static String mapLine(String file) {
        return "7f4f60000000-7f4f60bc7000 rw-p 00001000 fe:00 328258                     " + file + "\n";
    }
}
