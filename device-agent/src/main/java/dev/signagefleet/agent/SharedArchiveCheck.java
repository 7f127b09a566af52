package dev.signagefleet.agent;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Says when the class-data sharing archive a terminal names with {@code -XX:SharedArchiveFile} is
 * not in use. The JVM starts without it, slower but otherwise the same, and says nothing when the
 * file is missing or damaged (only a stale one gets a warning), so the operator would not know the
 * one-time training run is due again (after an update of the agent or the JDK). Linux only: the
 * command line comes from {@code /proc/self/cmdline} (and the JVM's option variables), and an
 * archive in use is mapped into the process, so it appears in {@code /proc/self/maps}.
 */
final class SharedArchiveCheck {

    private static final String OPTION = "-XX:SharedArchiveFile=";
    private static final List<String> OPTION_VARIABLES = List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS");

    private SharedArchiveCheck() {
    }

    /** What is wrong with this process's archive, read from {@code /proc/self}; empty when all is well or none is named. */
    static Optional<String> problem(Map<String, String> env) {
        return problem(Path.of("/proc/self/cmdline"), Path.of("/proc/self/maps"), env);
    }

    static Optional<String> problem(Path cmdline, Path maps, Map<String, String> env) {
        List<String> archives = namedArchives(cmdline, env);
        if (archives.isEmpty()) {
            return Optional.empty();
        }
        String mapped;
        try {
            mapped = Files.readString(maps, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty(); // not Linux, or no /proc: nothing to say either way
        }
        for (String archive : archives) {
            Path file = Path.of(archive).toAbsolutePath();
            if (!Files.isRegularFile(file)) {
                return Optional.of("the class-data sharing archive " + file + " (-XX:SharedArchiveFile) does not exist,"
                        + " so the agent starts without it (slower); make it with the training run in device-agent/README.md"
                        + " (-XX:ArchiveClassesAtExit=" + file + " ... --exit-after-first-status)");
            }
            if (!mapped.contains(realPath(file))) {
                return Optional.of("the class-data sharing archive " + file + " (-XX:SharedArchiveFile) is not in use: it was"
                        + " made by another JDK or for another device-agent.jar (path, size or time), or it is damaged; the agent"
                        + " starts without it (slower) until it is made again with the training run in device-agent/README.md"
                        + " (-XX:ArchiveClassesAtExit=" + file + " ... --exit-after-first-status)");
            }
        }
        return Optional.empty();
    }

    /** The files of the last {@code -XX:SharedArchiveFile=} option (the one the JVM takes); a base and a top archive may be named. */
    private static List<String> namedArchives(Path cmdline, Map<String, String> env) {
        List<String> options = new ArrayList<>();
        for (String variable : OPTION_VARIABLES) {
            String value = env.get(variable);
            if (value != null) {
                options.addAll(List.of(value.trim().split("\\s+")));
            }
        }
        try {
            options.addAll(List.of(Files.readString(cmdline, StandardCharsets.UTF_8).split("\0")));
        } catch (IOException e) {
            // not Linux: only the variables count
        }
        String last = null;
        for (String option : options) {
            if (option.startsWith(OPTION)) {
                last = option.substring(OPTION.length());
            }
        }
        if (last == null || last.isBlank()) {
            return List.of();
        }
        return List.of(last.split(File.pathSeparator));
    }

    private static String realPath(Path file) {
        try {
            return file.toRealPath().toString();
        } catch (IOException e) {
            return file.toString();
        }
    }
}
