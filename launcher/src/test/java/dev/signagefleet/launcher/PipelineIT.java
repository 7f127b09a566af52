package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import dev.signagefleet.telemetry.registry.NewDevice;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CSV → content flow end to end through the real stack: upload over HTTP, csv-ingest, SQS
 * (ElasticMQ), content-builder, content-registry, a retained assignment on the broker, the package
 * served to a terminal with its credential, and the upload's journey.
 */
class PipelineIT {

    private static final String ADMIN_PASSWORD = "pipeline-it-admin";
    private static final Path SAMPLES = Path.of("../../shared/samples");
    private static final HttpClient http = HttpClient.newHttpClient();
    private static Stack stack;
    private static String base;
    private static String tokyoCredential;
    private static String osakaCredential;

    @BeforeAll
    static void start() throws IOException {
        StackOptions options = TestStacks.local(Files.createTempDirectory("pipeline-it-"), 0, ADMIN_PASSWORD);
        Map<String, String> env = new HashMap<>();
        env.put("SIGNAGE_SQS_MAX_RECEIVES", "2");
        env.put("SIGNAGE_SQS_VISIBILITY_SEC", "5");
        stack = Stack.start(options, Settings.of(env), Clock.systemUTC());
        base = "http://127.0.0.1:" + stack.httpPort();
        tokyoCredential = stack.registry().register(new NewDevice("lobby-tokyo", "tokyo-east", null, null), "test").credential();
        osakaCredential = stack.registry().register(new NewDevice("lobby-osaka", "osaka", null, null), "test").credential();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", TestStacks.basic("admin", ADMIN_PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.mapper().readTree(response.body());
    }

    private static HttpResponse<String> upload(String filename, byte[] content, String query) throws IOException, InterruptedException {
        return TestStacks.upload(base, ADMIN_PASSWORD, filename, content, query);
    }

    private static JsonNode awaitFinished(String uploadId) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String status = json(get("/api/uploads/" + uploadId)).get("status").asText();
            return status.equals("DONE") || status.equals("FAILED");
        });
        try {
            return json(get("/api/uploads/" + uploadId));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aValidUploadGoesThroughEveryStageAndReachesTheTerminalsTopic() throws Exception {
        byte[] csv = Files.readAllBytes(SAMPLES.resolve("slides_utf8.csv"));
        HttpResponse<String> accepted = upload("slides_utf8.csv", csv, "");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode body = json(accepted);
        String uploadId = body.get("uploadId").asText();
        assertThat(accepted.headers().firstValue("Location")).hasValue("/api/uploads/" + uploadId);
        assertThat(body.get("rows").asLong()).isEqualTo(3);
        assertThat(body.get("charset").asText()).isEqualTo("UTF-8");

        JsonNode done = awaitFinished(uploadId);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("DONE");
        List<String> types = done.get("timeline").findValuesAsText("type");
        assertThat(types).contains("signage.elements.registered.v1", "signage.content.build-started.v1",
                "signage.content.built.v1", "signage.content.registered.v1", "signage.upload.finished.v1");
        assertThat(done.get("timeline").findValuesAsText("stage")).contains("csv-ingest", "content-builder", "content-registry");
        assertThat(done.get("terminals").get("targets").asLong()).isGreaterThanOrEqualTo(2);

        JsonNode versions = json(get("/api/contents?group=tokyo-east")).get("items");
        assertThat(versions).isNotEmpty();
        String version = versions.get(0).get("version").asText();
        JsonNode manifest = json(get("/api/contents/tokyo-east/" + version)).get("manifest");
        // tokyo-east shows its own slides and those for every group, by priority; not osaka's.
        assertThat(manifest.get("slides").findValuesAsText("slideId")).containsSubsequence("sale-dec", "welcome")
                .doesNotContain("news-01");

        JsonNode slide = json(get("/api/slides/news-01"));
        assertThat(slide.get("title").asText()).isEqualTo("Quote \"test\" title");
        assertThat(slide.get("targetGroup").asText()).isEqualTo("osaka");

        // The group's terminals are told with a retained message: a terminal connecting now still gets it.
        int port = Integer.parseInt(stack.mqttUrl().substring(stack.mqttUrl().lastIndexOf(':') + 1));
        Mqtt5BlockingClient terminal = Mqtt5Client.builder().identifier("lobby-tokyo").serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username("lobby-tokyo").password(tokyoCredential.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        terminal.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = terminal.publishes(MqttGlobalPublishFilter.ALL)) {
            terminal.subscribeWith().topicFilter("cmd/signage/group/tokyo-east/content").qos(MqttQos.AT_LEAST_ONCE).send();
            Optional<Mqtt5Publish> assignment = publishes.receive(10, TimeUnit.SECONDS);
            assertThat(assignment).isPresent();
            assertThat(assignment.get().isRetain()).isTrue();
            JsonNode message = Json.mapper().readTree(assignment.get().getPayloadAsBytes());
            assertThat(message.get("version").asText()).isEqualTo(version);
            assertThat(message.get("correlationId").asText()).isEqualTo("upload-" + uploadId);

            // The package is served to that terminal with its own credential, not to another group's.
            HttpResponse<byte[]> pkg = http.send(HttpRequest.newBuilder(URI.create(message.get("url").asText()))
                    .header("Authorization", TestStacks.basic("lobby-tokyo", tokyoCredential)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(pkg.statusCode()).isEqualTo(200);
            assertThat(pkg.body().length).isEqualTo(message.get("size").asInt());
            assertThat(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(pkg.body())))
                    .isEqualTo(message.get("sha256").asText());
            assertThat(http.send(HttpRequest.newBuilder(URI.create(message.get("url").asText()))
                    .header("Authorization", TestStacks.basic("lobby-osaka", osakaCredential)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(403);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(message.get("url").asText())).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
        } finally {
            terminal.disconnect();
        }

        // The same bytes again: the same upload, no second registration.
        HttpResponse<String> again = upload("copy.csv", csv, "");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("uploadId").asText()).isEqualTo(uploadId);
        assertThat(json(again).get("existing").asBoolean()).isTrue();
    }

    @Test
    void aShiftJisFileFromExcelKeepsItsCharacters() throws Exception {
        HttpResponse<String> accepted = upload("slides_sjis.csv", Files.readAllBytes(SAMPLES.resolve("slides_sjis.csv")), "");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(json(accepted).get("charset").asText()).isEqualTo("windows-31j");
        assertThat(awaitFinished(json(accepted).get("uploadId").asText()).get("status").asText()).isEqualTo("DONE");
        String expected = new String(Files.readAllBytes(SAMPLES.resolve("slides_sjis.csv")), "Windows-31J");
        String title = json(get("/api/slides/j-001")).get("title").asText();
        assertThat(expected).contains(title);
        assertThat(title).isEqualTo("ようこそ ① ㈱サンプル");
        JsonNode second = json(get("/api/slides/j-002"));
        assertThat(second.get("title").asText()).isEqualTo("ﾎﾟｲﾝﾄ２倍 ～ 週末限定");
        assertThat(second.get("body").asText()).isEqualTo("髙橋店長のおすすめ");
    }

    @Test
    void anInvalidFileStoresNothingAndListsEveryProblem() throws Exception {
        String csv = "slide_id,title,duration_sec\nok-1,Fine,10\nbad id,,0\nok-1,Twice,99999\n";
        HttpResponse<String> rejected = upload("bad.csv", csv.getBytes(StandardCharsets.UTF_8), "");
        assertThat(rejected.statusCode()).isEqualTo(422);
        JsonNode problem = json(rejected);
        assertThat(problem.get("errors").size()).isGreaterThanOrEqualTo(4);
        assertThat(problem.get("errors").findValuesAsText("code")).contains("bad_id", "required", "out_of_range", "duplicate_id");
        assertThat(get("/api/slides/ok-1").statusCode()).isEqualTo(404);
        HttpResponse<String> report = get(problem.get("errorReport").asText());
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body()).contains("duplicate_id").contains("\"line\",\"column\",\"code\",\"message\"");

        HttpResponse<String> dry = upload("dry.csv", "slide_id,title,duration_sec\nd-1,Dry,5\n".getBytes(StandardCharsets.UTF_8),
                "?dryRun=true");
        assertThat(dry.statusCode()).isEqualTo(200);
        assertThat(json(dry).get("valid").asBoolean()).isTrue();
        assertThat(get("/api/slides/d-1").statusCode()).isEqualTo(404);
    }

    @Test
    void theCliUploadsAFileAndFollowsItToDone() throws Exception {
        Path file = Files.createTempFile("cli-", ".csv");
        Files.writeString(file, "slide_id,title,duration_sec,target_group\ncli-1,From the CLI,7,nagoya\n");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new picocli.CommandLine(new SignageCommand()).execute("upload", file.toString(), "--wait",
                    "--api", base, "--password", ADMIN_PASSWORD);
        } finally {
            System.setOut(original);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(printed).isZero();
        assertThat(printed).contains("Accepted as").contains("signage.content.registered.v1").contains("DONE");
    }

    @Test
    void aPoisonMessageIsDeadLetteredWithItsReasonAndCanBeDiscarded() throws Exception {
        long id = TestStacks.poisonDeadLetter(stack, "poison-1");
        JsonNode letter = json(get("/api/dead-letters/" + id));
        assertThat(letter.get("state").asText()).isEqualTo("dead");
        assertThat(letter.get("reason").asText()).contains("not-a-uuid");
        HttpResponse<String> discarded = http.send(HttpRequest.newBuilder(URI.create(base + "/api/dead-letters/" + id + "/discard"))
                .header("Authorization", TestStacks.basic("admin", ADMIN_PASSWORD))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(discarded.statusCode()).isEqualTo(200);
        assertThat(json(discarded).get("state").asText()).isEqualTo("discarded");
    }

    /** The slide ids of a group's current content. */
    private static List<String> currentSlides(String group) throws IOException, InterruptedException {
        for (JsonNode v : json(get("/api/contents?group=" + group)).get("items")) {
            if (v.get("current").asBoolean()) {
                return json(get("/api/contents/" + group + "/" + v.get("number").asLong())).get("manifest").get("slides")
                        .findValuesAsText("slideId");
            }
        }
        return List.of();
    }

    private static String accepted(String filename, String csv) throws IOException, InterruptedException {
        HttpResponse<String> accepted = upload(filename, csv.getBytes(StandardCharsets.UTF_8), "");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return json(accepted).get("uploadId").asText();
    }

    @Test
    void anUploadStuckBehindADeadLetterSaysSoStaysOffScreensAndFinishesAfterTheFixAndARedrive() throws Exception {
        // A fault only this upload's build meets: the database refuses its build records.
        stack.database().jdbi().useHandle(h -> {
            h.execute("""
                    CREATE FUNCTION refuse_builds() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF EXISTS (SELECT 1 FROM slides WHERE upload_id = NEW.upload_id AND slide_id = 'stuck-1') THEN
                            RAISE EXCEPTION 'simulated fault: content_builds refuses writes';
                        END IF;
                        RETURN NEW;
                    END $$""");
            h.execute("CREATE TRIGGER refuse_builds BEFORE INSERT ON content_builds FOR EACH ROW EXECUTE FUNCTION refuse_builds()");
        });
        String uploadId;
        JsonNode letter;
        try {
            uploadId = accepted("stuck.csv", "slide_id,title,duration_sec,target_group\nstuck-1,Waits for a fix,6,tokyo-east\n");
            await().atMost(Duration.ofSeconds(60)).until(() -> json(get("/api/uploads/" + uploadId)).has("stuck"));
            JsonNode stuck = json(get("/api/uploads/" + uploadId));
            assertThat(stuck.get("status").asText()).isEqualTo("ACCEPTED");
            letter = stuck.get("stuck").get("deadLetters").get(0);
            assertThat(letter.get("queue").asText()).contains("content-builder");
            assertThat(letter.get("eventType").asText()).isEqualTo("signage.elements.registered.v1");
            assertThat(letter.get("reason").asText()).contains("simulated fault");

            // Another upload for the same group is built meanwhile: the stuck upload's slide must not ride along.
            String other = accepted("other.csv", "slide_id,title,duration_sec,target_group\nother-1,Built meanwhile,6,tokyo-east\n");
            assertThat(awaitFinished(other).get("status").asText()).isEqualTo("DONE");
            assertThat(currentSlides("tokyo-east")).contains("other-1").doesNotContain("stuck-1");
        } finally {
            stack.database().jdbi().useHandle(h -> {
                h.execute("DROP TRIGGER refuse_builds ON content_builds");
                h.execute("DROP FUNCTION refuse_builds()");
            });
        }

        HttpResponse<String> redriven = http.send(HttpRequest.newBuilder(URI.create(base + letter.get("redrive").asText()))
                .header("Authorization", TestStacks.basic("admin", ADMIN_PASSWORD)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(redriven.statusCode()).as(redriven.body()).isEqualTo(200);
        assertThat(json(redriven).get("state").asText()).isEqualTo("redriven");
        JsonNode done = awaitFinished(uploadId);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("DONE");
        assertThat(done.has("stuck")).isFalse();
        assertThat(currentSlides("tokyo-east")).contains("other-1", "stuck-1");
    }

    @Test
    void aSlideMovedToAnotherGroupLeavesItsOldGroup() throws Exception {
        assertThat(awaitFinished(accepted("move-1.csv", "slide_id,title,duration_sec,target_group\nmover,Here first,6,nagoya\n"))
                .get("status").asText()).isEqualTo("DONE");
        assertThat(currentSlides("nagoya")).contains("mover");
        String moved = accepted("move-2.csv", "slide_id,title,duration_sec,target_group\nmover,Then there,6,sendai\n");
        JsonNode done = awaitFinished(moved);
        assertThat(done.get("status").asText()).isEqualTo("DONE");
        List<String> rebuilt = new java.util.ArrayList<>();
        done.get("groups").forEach(g -> rebuilt.add(g.asText()));
        assertThat(rebuilt).as("the old group is rebuilt too").containsExactlyInAnyOrder("nagoya", "sendai");
        assertThat(currentSlides("sendai")).contains("mover");
        assertThat(currentSlides("nagoya")).as("nagoya was rebuilt without the slide").doesNotContain("mover");
    }

    @Test
    void aRejectedFileCanBeSentAgainWithTheRightCharset() throws Exception {
        byte[] sjis = "slide_id,title,duration_sec\nretry-1,㈱サンプル ～,5\n".getBytes("Windows-31J");
        HttpResponse<String> wrong = upload("retry.csv", sjis, "?charset=UTF-8");
        assertThat(wrong.statusCode()).as(wrong.body()).isEqualTo(422);
        assertThat(json(wrong).get("errors").findValuesAsText("code")).contains("bad_encoding");

        HttpResponse<String> right = upload("retry.csv", sjis, "?charset=Shift_JIS");
        assertThat(right.statusCode()).as("the earlier rejection is not handed back").isEqualTo(202);
        assertThat(json(right).get("uploadId").asText()).isNotEqualTo(json(wrong).get("uploadId").asText());
        assertThat(awaitFinished(json(right).get("uploadId").asText()).get("status").asText()).isEqualTo("DONE");
        assertThat(json(get("/api/slides/retry-1")).get("title").asText()).isEqualTo("㈱サンプル ～");
    }

    @Test
    void theSameBytesUploadedTwiceAtOnceAreRegisteredOnce() throws Exception {
        byte[] csv = "slide_id,title,duration_sec\ntwin-1,Sent twice at once,5\n".getBytes(StandardCharsets.UTF_8);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.Callable<HttpResponse<String>> send = () -> {
                go.await();
                return upload("twin.csv", csv, "");
            };
            var first = pool.submit(send);
            var second = pool.submit(send);
            go.countDown();
            List<HttpResponse<String>> answers = List.of(first.get(), second.get());
            assertThat(answers).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(202, 200);
            assertThat(json(answers.get(0)).get("uploadId").asText()).isEqualTo(json(answers.get(1)).get("uploadId").asText());
        } finally {
            pool.shutdownNow();
        }
    }
}
