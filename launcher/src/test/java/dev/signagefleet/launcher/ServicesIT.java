package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.telemetry.registry.NewDevice;
import dev.signagefleet.testing.BrokerExtension;
import dev.signagefleet.testing.FreePorts;
import dev.signagefleet.testing.PostgresExtension;
import dev.signagefleet.testing.QueueServerExtension;
import dev.signagefleet.testing.ServiceEnvironment;
import dev.signagefleet.launcher.service.ServiceBrokerAccess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The services as separate processes, two instances of each ({@code java -jar signage-launcher.jar
 * service NAME}, configured only by environment variables, logging JSON), against one broker, one
 * queue server and one PostgreSQL: the work is shared between the instances and nothing is done twice.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServicesIT {

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();
    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();
    @RegisterExtension
    static final QueueServerExtension sqs = new QueueServerExtension();

    private static final String ADMIN_PASSWORD = "services-it-admin";
    private static final String TELEMETRY_SECRET = "services-it-telemetry";
    private static final String CONTENT_SECRET = "services-it-content";
    private static final List<String> SERVICES = List.of("telemetry-consumer", "csv-ingest", "content-builder",
            "content-registry", "management");
    private static final int DEVICES = 20;
    private static final int STATUSES_PER_DEVICE = 100;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final List<ServiceProcess> processes = new ArrayList<>();
    private static String managementA;
    private static String managementB;

    /** One service instance: its process, its port for health and metrics (the API's for management), its log. */
    private record ServiceProcess(String service, int instance, Process process, int port, Path log) {
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        String name() {
            return service + "-" + instance;
        }
    }

    @BeforeAll
    static void startTwoOfEachService() throws Exception {
        broker.accounts().addService(ServiceBrokerAccess.TELEMETRY, TELEMETRY_SECRET);
        broker.accounts().addService(ServiceBrokerAccess.CONTENT, CONTENT_SECRET);
        DeviceRegistry registry = new DeviceRegistry(db.jdbi(), Clock.systemUTC());
        for (int i = 0; i < DEVICES; i++) {
            String id = device(i);
            registry.register(new NewDevice(id, i % 2 == 0 ? "svc-east" : "svc-west", null, null), "test");
            broker.accounts().addDevice(id, i % 2 == 0 ? "svc-east" : "svc-west", "pw-" + id);
        }
        Path contentDir = Files.createTempDirectory("services-it-content-");
        Path logs = Path.of("target", "services-it");
        Files.createDirectories(logs);
        int managementPortA = FreePorts.next();
        int managementPortB = FreePorts.next();
        managementA = "http://127.0.0.1:" + managementPortA;
        managementB = "http://127.0.0.1:" + managementPortB;
        for (String service : SERVICES) {
            for (int instance = 1; instance <= 2; instance++) {
                int port = service.equals("management") ? (instance == 1 ? managementPortA : managementPortB) : FreePorts.next();
                Map<String, String> env = ServiceEnvironment.of(db, broker, sqs, TELEMETRY_SECRET, CONTENT_SECRET, ADMIN_PASSWORD);
                env.put("SIGNAGE_CONTENT_DIR", contentDir.toString());
                env.put("SIGNAGE_PUBLIC_HTTP_URL", managementA);
                env.put("SIGNAGE_INSTANCE", "it-" + instance);
                env.put("SIGNAGE_LOG_FORMAT", "json");
                env.put(service.equals("management") ? "SIGNAGE_HTTP_PORT" : "SIGNAGE_OPS_PORT", Integer.toString(port));
                processes.add(start(service, instance, port, env, logs));
            }
        }
        for (ServiceProcess p : processes) {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
                assertThat(p.process().isAlive()).as("%s exited early; its log: %s", p.name(), tail(p.log())).isTrue();
                return status(p.url("/readyz")) == 200;
            });
        }
    }

    private static ServiceProcess start(String service, int instance, int port, Map<String, String> env, Path logs)
            throws IOException {
        Path log = logs.resolve(service + "-" + instance + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", Path.of("target", "signage-launcher.jar").toString(), "service", service)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return new ServiceProcess(service, instance, builder.start(), port, log);
    }

    @AfterAll
    static void stopLeftovers() {
        processes.forEach(p -> p.process().destroyForcibly());
    }

    private static String device(int i) {
        return String.format("svc-%02d", i);
    }

    /** Every device publishes statuses {@code from}..{@code to} at QoS 1; returns once the broker acknowledged all. */
    private static void publish(int from, int to) throws Exception {
        List<Mqtt5AsyncClient> devices = new ArrayList<>();
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            String id = device(i);
            Mqtt5AsyncClient client = Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(broker.port())
                    .simpleAuth().username(id).password(("pw-" + id).getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                    .buildAsync();
            client.connect().get(10, TimeUnit.SECONDS);
            devices.add(client);
        }
        for (int seq = from; seq <= to; seq++) {
            for (int i = 0; i < DEVICES; i++) {
                String id = device(i);
                acks.add(devices.get(i).publishWith().topic("dt/signage/" + id + "/status").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(("{\"v\":1,\"deviceId\":\"" + id + "\",\"bootId\":\"b\",\"seq\":" + seq + ",\"sentAt\":\""
                                + Instant.now() + "\"}").getBytes(StandardCharsets.UTF_8)).send());
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (Mqtt5AsyncClient client : devices) {
            client.disconnect().get(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitStoredOnce(int lastSeq) {
        long expected = (long) DEVICES * lastSeq;
        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT count(*) FROM status_history WHERE device_id LIKE 'svc-%'")
                == expected);
        assertThat(count("SELECT count(*) FROM device_state WHERE device_id LIKE 'svc-%' AND seq = " + lastSeq))
                .as("every device's latest state is its last status").isEqualTo(DEVICES);
    }

    /**
     * HiveMQ CE hands the shared subscription's messages to the first instance with room in its receive
     * window, so at this light load one instance may take everything (seen: 0 and 2,000). The test shows
     * the sharing a rolling restart relies on: both store, then the busier one is stopped and the other
     * takes the rest; every status is stored exactly once throughout.
     */
    @Test
    @Order(1)
    void theTelemetryConsumersShareTheFleetsStatusesAndEachIsStoredOnce() throws Exception {
        publish(1, STATUSES_PER_DEVICE / 2);
        awaitStoredOnce(STATUSES_PER_DEVICE / 2);
        List<ServiceProcess> consumers = instancesOf("telemetry-consumer");
        double first = metric(consumers.get(0), "signage_telemetry_messages_total", "kind=\"status\"");
        double second = metric(consumers.get(1), "signage_telemetry_messages_total", "kind=\"status\"");
        System.out.println("statuses stored per telemetry-consumer instance, both running: [" + first + ", " + second + "]");
        assertThat(first + second).as("each status received once between them").isEqualTo((double) DEVICES * STATUSES_PER_DEVICE / 2);
        for (ServiceProcess p : consumers) {
            assertThat(metric(p, "signage_telemetry_duplicates_total", "")).as("%s got a status twice", p.name()).isZero();
        }

        ServiceProcess busier = first >= second ? consumers.get(0) : consumers.get(1);
        ServiceProcess other = busier == consumers.get(0) ? consumers.get(1) : consumers.get(0);
        double otherBefore = Math.min(first, second);
        busier.process().destroy(); // SIGTERM, as a rolling restart does
        assertThat(busier.process().waitFor(60, TimeUnit.SECONDS)).as("%s stopped", busier.name()).isTrue();

        publish(STATUSES_PER_DEVICE / 2 + 1, STATUSES_PER_DEVICE);
        awaitStoredOnce(STATUSES_PER_DEVICE);
        double otherAfter = metric(other, "signage_telemetry_messages_total", "kind=\"status\"");
        System.out.println(other.name() + " stored " + (otherAfter - otherBefore) + " more after " + busier.name() + " stopped");
        assertThat(otherAfter - otherBefore).as("%s took over the whole second half, each status once", other.name())
                .isEqualTo((double) DEVICES * STATUSES_PER_DEVICE / 2);
        assertThat(metric(other, "signage_telemetry_duplicates_total", "")).isZero();
    }

    @Test
    @Order(2)
    void uploadsThroughEitherManagementInstanceGoThroughThePipelineOnce() throws Exception {
        int uploads = 8;
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < uploads; n++) {
            String group = n % 2 == 0 ? "svc-east" : "svc-west";
            String csv = "slide_id,title,duration_sec,target_group\nsvc-slide-" + n + ",Upload " + n + ",5," + group + "\n";
            String base = n % 2 == 0 ? managementA : managementB;
            HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/uploads?filename=u" + n + ".csv"))
                    .header("Authorization", TestStacks.basic("admin", ADMIN_PASSWORD)).header("Content-Type", "text/csv")
                    .POST(HttpRequest.BodyPublishers.ofString(csv)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            ids.add(Json.mapper().readTree(accepted.body()).get("uploadId").asText());
        }
        for (String id : ids) {
            await().atMost(Duration.ofSeconds(90)).until(() -> List.of("DONE", "FAILED").contains(uploadStatus(id)));
            assertThat(uploadStatus(id)).as("upload %s", id).isEqualTo("DONE");
        }

        // Nothing twice: no upload built twice for a group, and each group's versions numbered without gaps or repeats.
        assertThat(count("SELECT count(*) FROM content_versions"))
                .isEqualTo(count("SELECT count(DISTINCT (group_name, upload_id)) FROM content_versions"));
        for (String group : List.of("svc-east", "svc-west")) {
            List<Long> numbers = db.jdbi().withHandle(h -> h.createQuery(
                            "SELECT version_number FROM content_versions WHERE group_name = :g ORDER BY version_number")
                    .bind("g", group).mapTo(Long.class).list());
            assertThat(numbers).as(group).isNotEmpty().doesNotHaveDuplicates();
            assertThat(numbers.get(numbers.size() - 1) - numbers.get(0)).as(group).isEqualTo(numbers.size() - 1);
        }
        // Competing consumers: each event goes to one instance. Which one is up to the queue server, so a service
        // may by chance hand all of a few events to one instance; across the three, both instances must have worked.
        int sharedServices = 0;
        for (String service : List.of("csv-ingest", "content-builder", "content-registry")) {
            List<Double> handled = new ArrayList<>();
            for (ServiceProcess p : instancesOf(service)) {
                handled.add(metric(p, "signage_queue_events_handled_total", "consumer=\"" + service + "\""));
            }
            System.out.println("events handled per " + service + " instance: " + handled);
            assertThat(handled.stream().mapToDouble(Double::doubleValue).sum()).as(service).isPositive();
            sharedServices += handled.stream().allMatch(n -> n > 0) ? 1 : 0;
        }
        assertThat(sharedServices).as("services whose two instances both handled events").isPositive();
        List<Double> builds = new ArrayList<>();
        for (ServiceProcess p : instancesOf("content-builder")) {
            builds.add(metric(p, "signage_queue_events_handled_total", "consumer=\"content-builder\""));
        }
        assertThat(builds.stream().mapToDouble(Double::doubleValue).sum()).as("each upload's event built once").isEqualTo(uploads);
    }

    @Test
    @Order(3)
    void everyInstanceLogsJsonAndStopsCleanlyOnSigterm() throws Exception {
        for (ServiceProcess p : processes) {
            p.process().destroy(); // SIGTERM (one telemetry consumer got it already)
        }
        for (ServiceProcess p : processes) {
            assertThat(p.process().waitFor(60, TimeUnit.SECONDS)).as("%s stopped within 60 s", p.name()).isTrue();
            assertThat(p.process().exitValue()).as("%s exit code; log: %s", p.name(), tail(p.log())).isIn(0, 143);
            List<String> lines = Files.readAllLines(p.log());
            assertThat(lines).as(p.name()).isNotEmpty();
            for (String line : lines) {
                JsonNode json = Json.mapper().readTree(line);
                assertThat(json.has("level") && json.has("formattedMessage")).as("a JSON log line: %s", line).isTrue();
            }
            assertThat(lines).as(p.name()).anySatisfy(l -> assertThat(l).contains(p.service() + " stopped"));
            assertThat(lines).as("%s logged no error", p.name()).noneSatisfy(l -> assertThat(l).contains("\"level\":\"ERROR\""));
        }
    }

    private static List<ServiceProcess> instancesOf(String service) {
        return processes.stream().filter(p -> p.service().equals(service)).toList();
    }

    private static String uploadStatus(String id) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(managementB + "/api/uploads/" + id))
                .header("Authorization", TestStacks.basic("admin", ADMIN_PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(r.body()).get("status").asText();
    }

    /** A Prometheus counter of one instance, summed over the series that carry {@code label}. */
    private static double metric(ServiceProcess p, String name, String label) throws IOException, InterruptedException {
        String text = http.send(HttpRequest.newBuilder(URI.create(p.url("/metrics"))).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        double sum = 0;
        boolean found = false;
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} ([0-9.eE+-]+)$", Pattern.MULTILINE).matcher(text);
        while (m.find()) {
            if (m.group(1).contains(label)) {
                sum += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        assertThat(found).as("%s serves %s{%s}", p.name(), name, label).isTrue();
        return sum;
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

    private static long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
