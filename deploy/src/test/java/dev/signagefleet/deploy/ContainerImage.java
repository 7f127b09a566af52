package dev.signagefleet.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The image tar that Jib wrote, unpacked the way a container runtime would (layers in order into one root
 * filesystem), and run without a container engine: {@code chroot} into that root as the image's user, with a
 * fresh {@code /proc} in a private mount namespace (gone when the process ends), the image's environment and
 * entrypoint. Network and PID namespaces are the host's, so a process in the image reaches the test's
 * broker, queue server and database on 127.0.0.1.
 */
final class ContainerImage {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path rootfs;
    private final JsonNode manifest;
    private final JsonNode config;

    private ContainerImage(Path rootfs, JsonNode manifest, JsonNode config) {
        this.rootfs = rootfs;
        this.manifest = manifest;
        this.config = config;
    }

    /** Unpacks {@code imageTar} (docker-archive format: manifest.json, the config and the layers) under {@code workDir}. */
    static ContainerImage unpack(Path imageTar, Path workDir) throws IOException, InterruptedException {
        if (!Files.isRegularFile(imageTar)) {
            throw new IllegalStateException(imageTar.toAbsolutePath() + " does not exist: build it with mvn -pl deploy package "
                    + "(after mvn -pl launcher -am install -DskipTests)");
        }
        Path archive = workDir.resolve("archive");
        Path rootfs = workDir.resolve("rootfs");
        Files.createDirectories(archive);
        Files.createDirectories(rootfs);
        run(List.of("tar", "-xf", imageTar.toString(), "-C", archive.toString()));
        JsonNode manifest = JSON.readTree(archive.resolve("manifest.json").toFile()).get(0);
        JsonNode config = JSON.readTree(archive.resolve(manifest.get("Config").asText()).toFile());
        for (JsonNode layer : manifest.get("Layers")) {
            run(List.of("tar", "--warning=no-unknown-keyword", "-xzf", archive.resolve(layer.asText()).toString(),
                    "-C", rootfs.toString()));
        }
        Files.createDirectories(rootfs.resolve("proc"));
        return new ContainerImage(rootfs, manifest, config);
    }

    JsonNode manifest() {
        return manifest;
    }

    /** The image configuration's {@code config} object: Entrypoint, Cmd, Env, User, ExposedPorts, WorkingDir. */
    JsonNode config() {
        return config.get("config");
    }

    JsonNode fullConfig() {
        return config;
    }

    Path rootfs() {
        return rootfs;
    }

    List<String> entrypoint() {
        return strings(config().get("Entrypoint"));
    }

    List<String> defaultArgs() {
        return strings(config().get("Cmd"));
    }

    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : strings(config().get("Env"))) {
            int eq = entry.indexOf('=');
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        return env;
    }

    /** Starts {@code command} inside the image as its user, with the image's environment plus {@code extraEnv}. */
    Process start(List<String> command, Map<String, String> extraEnv, Path output) throws IOException {
        // host tools by absolute path: the environment below is the image's, whose PATH is only /opt/java/bin
        String mountProcAndEnter = "\"$2\" -t proc proc \"$0/proc\" && exec \"$3\" --userspec=\"$1\" \"$0\" \"${@:4}\"";
        List<String> argv = new ArrayList<>(List.of(hostTool("unshare"), "--mount", hostTool("bash"), "-c", mountProcAndEnter,
                rootfs.toAbsolutePath().toString(), config().get("User").asText(), hostTool("mount"), hostTool("chroot")));
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment());
        builder.environment().putAll(extraEnv);
        return builder.start();
    }

    /** Runs {@code command} inside the image to its end; the exit code and everything it printed. */
    Result run(List<String> command, Map<String, String> extraEnv, Path output) throws IOException, InterruptedException {
        Process process = start(command, extraEnv, output);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " in the image did not end within 120 s; output: " + Files.readString(output));
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    /** The image's entrypoint followed by {@code args} (what {@code docker run IMAGE args…} runs). */
    List<String> withEntrypoint(List<String> args) {
        List<String> command = new ArrayList<>(entrypoint());
        command.addAll(args);
        return command;
    }

    /** Whether this process may create a mount namespace and mount in it (root with CAP_SYS_ADMIN). */
    static boolean canEnterAMountNamespace() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder(hostTool("unshare"), "--mount", hostTool("mount"), "-t", "tmpfs", "probe", "/mnt")
                .redirectErrorStream(true).start();
        probe.getInputStream().readAllBytes();
        return probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }

    /** A program of the host (unshare, mount, chroot, bash), found on the test's PATH and the sbin directories. */
    static String hostTool(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/sbin:/bin";
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        throw new IllegalStateException(name + " not found on " + path + ": running the image without a container engine "
                + "needs util-linux (unshare, mount) and coreutils (chroot)");
    }

    record Result(int exitCode, String output) {
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null) {
            array.forEach(node -> values.add(node.asText()));
        }
        return values;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output);
        }
    }
}
