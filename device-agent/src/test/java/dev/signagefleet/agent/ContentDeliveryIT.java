package dev.signagefleet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.agent.command.Command;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.content.ContentDelivery;
import dev.signagefleet.agent.content.ContentServer;
import dev.signagefleet.agent.content.ContentWorkers;
import dev.signagefleet.agent.content.TestPackages;
import dev.signagefleet.testing.BrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Content assignments end to end: retained messages on the real broker, packages from a real HTTP
 * server on loopback, the switch on disk, and the status that reports it. Every test uses its own
 * device and group, because retained messages outlive a test.
 */
class ContentDeliveryIT {

    @RegisterExtension
    static final BrokerExtension broker = new BrokerExtension();

    @RegisterExtension
    final AgentFixture fixture = new AgentFixture(broker);

    private final ContentServer server = ContentServer.start();

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void aGroupAssignmentIsFetchedWithTheDeviceCredentialVerifiedSwitchedToAndReported() throws Exception {
        server.requireAuthorization(basic("content-01", "pw-01"));
        startAgent("content-01", "grp-a", "pw-01");

        assign(ContentDelivery.groupTopic("grp-a"), "grp-a@1");

        JsonNode status = awaitShowing("content-01", "grp-a@1");
        assertThat(status.has("contentError")).isFalse();
        assertThat(server.requests("/content/grp-a/1/package.zip")).singleElement()
                .satisfies(request -> assertThat(request.authorization()).contains(basic("content-01", "pw-01")));
        Path content = contentDir("content-01");
        assertThat(content.resolve("current")).hasContent("versions/grp-a+1\n");
        assertThat(content.resolve("versions/grp-a+1/index.html")).hasContent(TestPackages.page("grp-a@1"));
        assertThat(content.resolve("versions/grp-a+1/manifest.json")).isRegularFile();
    }

    @Test
    void aChecksumMismatchKeepsThePreviousPackageAndIsReportedUntilAGoodAssignmentFixesIt() throws Exception {
        startAgent("content-02", "grp-b", "pw");
        assign(ContentDelivery.groupTopic("grp-b"), "grp-b@1");
        awaitShowing("content-02", "grp-b@1");

        try (LogCapture log = LogCapture.of(ContentDelivery.class.getName())) {
            byte[] good = TestPackages.player("grp-b@2");
            server.serve(path("grp-b@2"), good);
            String wrong = TestPackages.sha256("something else".getBytes(StandardCharsets.UTF_8));
            fixture.observer().publish(ContentDelivery.groupTopic("grp-b"),
                    TestPackages.assignment("grp-b@2", server.url(path("grp-b@2")), wrong, good.length), true);

            JsonNode failed = await().until(() -> latestStatus("content-02"), s -> s.has("contentError"));
            assertThat(failed.get("contentError").asText())
                    .isEqualTo("grp-b@2: sha256 mismatch (expected " + wrong + ", got " + TestPackages.sha256(good) + ")");
            assertThat(failed.get("contentVersion").asText()).isEqualTo("grp-b@1");
            assertThat(log.has(Level.WARN, "[content-02]", "grp-b@2", "sha256 mismatch", "still showing grp-b@1")).isTrue();
            assertThat(contentDir("content-02").resolve("current")).hasContent("versions/grp-b+1\n");
            assertThat(contentDir("content-02").resolve("versions/grp-b+2")).doesNotExist();

            // the registry republishes the version with the right checksum
            fixture.observer().publish(ContentDelivery.groupTopic("grp-b"),
                    TestPackages.assignment("grp-b@2", server.url(path("grp-b@2")), good), true);

            JsonNode fixed = awaitShowing("content-02", "grp-b@2");
            assertThat(fixed.has("contentError")).isFalse();
            assertThat(server.requests(path("grp-b@2"))).hasSize(2);
        }
    }

    @Test
    void theTerminalsOwnAssignmentWinsOverTheGroupsAndAnEmptyOneFallsBackToIt() throws Exception {
        List<Command> otherCommands = new CopyOnWriteArrayList<>();
        DeviceAgent agent = fixture.agent(config("content-03", "grp-c", "pw"));
        agent.setCommandListener(otherCommands::add);
        agent.start();
        assign(ContentDelivery.groupTopic("grp-c"), "grp-c@1");
        awaitShowing("content-03", "grp-c@1");
        assign(ContentDelivery.deviceTopic("content-03"), "lobby-special@1");
        awaitShowing("content-03", "lobby-special@1");

        assign(ContentDelivery.groupTopic("grp-c"), "grp-c@2");
        // a later command on another topic: once it arrived, the group assignment before it was handled
        fixture.observer().publish("cmd/signage/content-03/marker", "{}", false);
        await().until(() -> otherCommands.stream().anyMatch(c -> c.topic().equals("cmd/signage/content-03/marker")));
        assertThat(otherCommands).extracting(Command::topic).containsExactly("cmd/signage/content-03/marker");
        assertThat(server.requests(path("grp-c@2"))).isEmpty();
        assertThat(latestStatus("content-03").get("contentVersion").asText()).isEqualTo("lobby-special@1");

        fixture.observer().publish(ContentDelivery.deviceTopic("content-03"), "", true); // clears the retained assignment

        awaitShowing("content-03", "grp-c@2");
        assertThat(server.requests(path("grp-c@2"))).hasSize(1);
    }

    @Test
    void theSameRetainedAssignmentAfterABrokerRestartIsNotFetchedAgain() throws Exception {
        DeviceAgent agent = startAgent("content-04", "grp-d", "pw");
        assign(ContentDelivery.groupTopic("grp-d"), "grp-d@1");
        awaitShowing("content-04", "grp-d@1");

        try (LogCapture log = LogCapture.of(ContentDelivery.class.getName())) {
            broker.stop();
            await().until(() -> !agent.state().connected());
            broker.start();
            await().until(() -> agent.state().connected() && agent.state().connectionCount() >= 2);

            await().until(() -> log.has(Level.INFO, "[content-04]", "grp-d@1", "is already on screen"));
        }
        assertThat(server.requests(path("grp-d@1"))).hasSize(1);
    }

    @Test
    void anOlderVersionOfTheGroupIsIgnoredButTheNewGroupsVersionIsTakenAfterAMove() throws Exception {
        DeviceAgent agent = startAgent("content-05", "grp-e", "pw");
        assign(ContentDelivery.groupTopic("grp-e"), "grp-e@2");
        awaitShowing("content-05", "grp-e@2");

        try (LogCapture log = LogCapture.of(ContentDelivery.class.getName())) {
            assign(ContentDelivery.groupTopic("grp-e"), "grp-e@1");
            await().until(() -> log.has(Level.INFO, "[content-05]", "ignoring the assignment of grp-e@1", "older than grp-e@2"));
        }
        assertThat(server.requests(path("grp-e@1"))).isEmpty();
        assertThat(latestStatus("content-05").get("contentVersion").asText()).isEqualTo("grp-e@2");

        // the terminal moves to another group, whose numbers are lower: not older, just another group
        agent.stop();
        assign(ContentDelivery.groupTopic("grp-e2"), "grp-e2@1");
        startAgent("content-05", "grp-e2", "pw");
        awaitShowing("content-05", "grp-e2@1");
    }

    @Test
    void aRestartedAgentReportsTheVersionOnDiskInItsFirstStatusAndDoesNotFetchItAgain() throws Exception {
        DeviceAgent first = startAgent("content-06", "grp-f", "pw");
        assign(ContentDelivery.groupTopic("grp-f"), "grp-f@1");
        awaitShowing("content-06", "grp-f@1");
        first.stop();

        try (LogCapture log = LogCapture.of(ContentDelivery.class.getName())) {
            DeviceAgent second = startAgent("content-06", "grp-f", "pw");

            JsonNode firstStatus = await().until(() -> statuses("content-06").stream()
                    .filter(s -> s.get("bootId").asText().equals(second.state().bootId().toString()) && s.get("seq").asLong() == 1)
                    .findFirst(), java.util.Optional::isPresent).get();
            assertThat(firstStatus.get("contentVersion").asText()).isEqualTo("grp-f@1");
            await().until(() -> log.has(Level.INFO, "[content-06]", "grp-f@1", "is already on screen"));
        }
        assertThat(server.requests(path("grp-f@1"))).hasSize(1);
    }

    @Test
    void aTerminalThatWasOffDuringTheAssignmentTakesItWhenItComesBackAndKeepsThePreviousPackage() throws Exception {
        DeviceAgent first = startAgent("content-07", "grp-g", "pw");
        assign(ContentDelivery.groupTopic("grp-g"), "grp-g@1");
        awaitShowing("content-07", "grp-g@1");
        first.kill();

        assign(ContentDelivery.groupTopic("grp-g"), "grp-g@2");
        DeviceAgent second = startAgent("content-07", "grp-g", "pw");

        JsonNode status = awaitShowing("content-07", "grp-g@2");
        assertThat(status.get("bootId").asText()).isEqualTo(second.state().bootId().toString());
        assertThat(contentDir("content-07").resolve("current")).hasContent("versions/grp-g+2\n");
        try (Stream<Path> versions = Files.list(contentDir("content-07").resolve("versions"))) {
            assertThat(versions.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("grp-g+1", "grp-g+2");
        }
    }

    @Test
    void passingServerErrorsAreReportedAndRetriedWithBackoffUntilTheDownloadSucceeds() throws Exception {
        startAgent("content-08", "grp-h", "pw");
        server.failFirst(path("grp-h@1"), 2, 503);

        assign(ContentDelivery.groupTopic("grp-h"), "grp-h@1");

        awaitShowing("content-08", "grp-h@1");
        assertThat(server.requests(path("grp-h@1"))).hasSize(3);
        assertThat(statuses("content-08")).anySatisfy(s ->
                assertThat(s.path("contentError").asText()).startsWith("grp-h@1: HTTP 503"));
    }

    @Test
    void aRefusedCredentialIsReportedAndNotHammered() throws Exception {
        server.requireAuthorization(basic("content-09", "the-server-expects-another"));
        DeviceAgent agent = startAgent("content-09", "grp-i", "pw");

        assign(ContentDelivery.groupTopic("grp-i"), "grp-i@1");

        JsonNode failed = await().until(() -> latestStatus("content-09"), s -> s.has("contentError"));
        assertThat(failed.get("contentError").asText()).startsWith("grp-i@1: HTTP 401");
        assertThat(failed.get("contentVersion").isNull()).isTrue();
        long seq = agent.state().lastSeq();
        await().until(() -> agent.state().lastSeq() >= seq + 5); // a second of heartbeats: no retry within it
        assertThat(server.requests(path("grp-i@1"))).hasSize(1);
    }

    @Test
    void anOperatorsRetryFetchesABrokenPackageAgainOnceItIsFixedAndCutsAWaitShort() throws Exception {
        startAgent("content-12", "grp-l", "pw");
        byte[] good = TestPackages.player("grp-l@1");
        // The package store served damaged bytes: the checksum in the assignment does not match them.
        byte[] damaged = good.clone();
        damaged[damaged.length / 2] ^= 0x55;
        server.serve(path("grp-l@1"), damaged);
        fixture.observer().publish(ContentDelivery.groupTopic("grp-l"),
                TestPackages.assignment("grp-l@1", server.url(path("grp-l@1")), TestPackages.sha256(good), good.length), true);
        JsonNode failed = await().until(() -> latestStatus("content-12"), s -> s.has("contentError"));
        assertThat(failed.get("contentError").asText()).startsWith("grp-l@1: sha256 mismatch");

        server.serve(path("grp-l@1"), good); // fixed on the server; the assignment is unchanged
        fixture.observer().publish(ContentDelivery.retryTopic("content-12"), "{}", false);
        JsonNode fixed = awaitShowing("content-12", "grp-l@1");
        assertThat(fixed.has("contentError")).isFalse();
        assertThat(server.requests(path("grp-l@1"))).hasSize(2);

        // Asked again with the content on screen: nothing is fetched.
        fixture.observer().publish(ContentDelivery.retryTopic("content-12"), "{}", false);
        long seq = fixture.observer().jsonOn("dt/signage/content-12/status").size();
        await().until(() -> statuses("content-12").size() >= seq + 3);
        assertThat(server.requests(path("grp-l@1"))).hasSize(2);
    }

    @Test
    void aNewerAssignmentDuringADownloadReplacesIt() throws Exception {
        startAgent("content-10", "grp-j", "pw");
        CountDownLatch release = server.hold(path("grp-j@1"));
        try (LogCapture log = LogCapture.of(ContentDelivery.class.getName())) {
            assign(ContentDelivery.groupTopic("grp-j"), "grp-j@1");
            await().until(() -> server.requests(path("grp-j@1")).size() == 1);

            assign(ContentDelivery.groupTopic("grp-j"), "grp-j@2");
            await().until(() -> log.has(Level.INFO, "[content-10]", "assignment grp-j@2 replaces grp-j@1"));
            release.countDown();

            awaitShowing("content-10", "grp-j@2");
        }
        assertThat(statuses("content-10")).noneSatisfy(s -> assertThat(s.get("contentVersion").asText()).isEqualTo("grp-j@1"));
        assertThat(contentDir("content-10").resolve("versions/grp-j+1")).doesNotExist();
    }

    @Test
    void agentsSharingASchedulerShareAFewContentThreads() throws Exception {
        ScheduledExecutorService shared = Executors.newScheduledThreadPool(2);
        try {
            List<String> devices = IntStream.rangeClosed(1, 12).mapToObj(i -> String.format("sim-content-%02d", i)).toList();
            for (String device : devices) {
                fixture.agent(config(device, "grp-sim", "pw"), shared).start();
            }
            assign(ContentDelivery.groupTopic("grp-sim"), "grp-sim@1");

            devices.forEach(device -> awaitShowing(device, "grp-sim@1"));
            assertThat(server.requests(path("grp-sim@1"))).hasSize(devices.size());
            assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().matches("signage-content-\\d+"))
                    .hasSizeBetween(1, ContentWorkers.SHARED_THREADS);
        } finally {
            fixture.killAll();
            shared.shutdownNow();
        }
    }

    private DeviceAgent startAgent(String deviceId, String group, String password) {
        DeviceAgent agent = fixture.agent(config(deviceId, group, password));
        agent.start();
        return agent;
    }

    private AgentConfig config(String deviceId, String group, String password) {
        broker.accounts().addDevice(deviceId, group, password);
        return fixture.config(deviceId, group, password);
    }

    /** Serves a valid package of {@code version} and publishes its retained assignment on {@code topic}. */
    private void assign(String topic, String version) throws Exception {
        byte[] pkg = TestPackages.player(version);
        server.serve(path(version), pkg);
        fixture.observer().publish(topic, TestPackages.assignment(version, server.url(path(version)), pkg), true);
    }

    /** Where the registry would serve {@code group@n}: {@code /content/{group}/{n}/package.zip}. */
    private static String path(String version) {
        String[] parts = version.split("@");
        return "/content/" + parts[0] + "/" + parts[1] + "/package.zip";
    }

    private JsonNode awaitShowing(String deviceId, String version) {
        return await().until(() -> statuses(deviceId).stream()
                        .filter(s -> s.get("contentVersion").asText().equals(version) && !s.has("contentError"))
                        .findFirst(), java.util.Optional::isPresent)
                .get();
    }

    private List<JsonNode> statuses(String deviceId) {
        return fixture.observer().jsonOn("dt/signage/" + deviceId + "/status");
    }

    private JsonNode latestStatus(String deviceId) {
        List<JsonNode> statuses = statuses(deviceId);
        return statuses.isEmpty() ? fixture.observer().JSON.createObjectNode() : statuses.get(statuses.size() - 1);
    }

    private Path contentDir(String deviceId) {
        return fixture.dir().resolve("content").resolve(deviceId);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
