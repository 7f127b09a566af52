package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile CSV files uploaded through the real HTTP API into the real stack: each gets a clear
 * answer naming the problem (and its line and column where there is one), nothing of it is stored
 * or announced, and the stack goes on accepting good files. The reader-level tests
 * ({@code HostileFilesTest}, {@code SlideCsvEncodingTest}) measure memory; this one proves the
 * whole path (multipart parsing, the upload record, the outbox) holds the same promise.
 */
class HostileUploadsIT {

    private static final String ADMIN_PASSWORD = "hostile-it-admin";
    private static final String HEADER = "slide_id,title,duration_sec\n";
    private static final int MIB = 1024 * 1024;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static Stack stack;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        StackOptions options = TestStacks.local(Files.createTempDirectory("hostile-it-"), 0, ADMIN_PASSWORD);
        stack = Stack.start(options, Settings.of(Map.of()), Clock.systemUTC());
        base = "http://127.0.0.1:" + stack.httpPort();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /** A hostile file and the problem it must be refused with (line 0: the file as a whole). */
    static Stream<Arguments> hostileFiles() {
        byte[] garbage = new byte[300_000];
        new Random(7).nextBytes(garbage);
        StringBuilder hundredThousandColumns = new StringBuilder("slide_id,title,duration_sec");
        for (int i = 0; i < 100_000; i++) {
            hundredThousandColumns.append(",c").append(i);
        }
        hundredThousandColumns.append("\nh1,T,5\n");
        return Stream.of(
                Arguments.of("unclosed quote", utf8(HEADER + "u1,\"Never closed,5\nu2,T,6\nu3,T,7\n"), Problem.of(2, "title", "unclosed_quote")),
                Arguments.of("binary garbage", garbage, Problem.of(0, null, "binary_data")),
                Arguments.of("10 MB single cell", concat(utf8("slide_id,title,body,duration_sec\nbig,T,\""),
                        "x".repeat(10 * MIB).getBytes(StandardCharsets.US_ASCII), utf8("\",5\nfine,T,ok,6\n")),
                        Problem.of(2, "body", "cell_too_large")),
                Arguments.of("100k columns", utf8(hundredThousandColumns.toString()), Problem.of(1, null, "too_many_columns")),
                Arguments.of("Shift_JIS sent as UTF-8", concat(utf8(HEADER + "j1,"), "本日のおすすめ".getBytes(Charset.forName("windows-31j")),
                        utf8(",5\n")), Problem.of(2, "title", "bad_encoding")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileFiles")
    void aHostileFileIsRefusedWithItsProblemAndNothingIsStored(String name, byte[] file, Problem expected) throws Exception {
        Counts before = counts();
        String query = name.contains("as UTF-8") ? "?charset=utf-8" : "";

        HttpResponse<String> answer = upload(name.replace(' ', '-') + ".csv", file, query);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
        JsonNode errors = json(answer).get("errors");
        assertThat(errors.size()).as("one clear problem, not one per byte: %s", errors).isBetween(1, 3);
        JsonNode problem = errors.get(0);
        assertThat(problem.get("code").asText()).as(answer.body()).isEqualTo(expected.code());
        assertThat(problem.get("line").asLong()).as(answer.body()).isEqualTo(expected.line());
        if (expected.column() != null) {
            assertThat(problem.get("column").asText()).as(answer.body()).isEqualTo(expected.column());
        }
        assertThat(problem.get("message").asText()).as("a message a person can act on").hasSizeGreaterThan(20)
                .hasSizeLessThan(1_000);
        assertThat(answer.body().length()).as("the answer does not echo the file back").isLessThan(20_000);

        Counts after = counts();
        assertThat(after.slides()).as("no slide of a refused file is stored").isEqualTo(before.slides());
        assertThat(after.liveUploads()).as("a refused file is no upload in progress").isEqualTo(before.liveUploads());
        assertThat(after.announcements()).as("nothing is announced for a refused file").isEqualTo(before.announcements());
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void aByteOrderMarkInTheMiddleIsRemovedWithAWarningAndTheFileGoesThrough() throws Exception {
        HttpResponse<String> answer = upload("bom.csv", utf8(HEADER + "bom-1,First,5\n\uFEFFbom-2,Se\uFEFFcond,6\n"), "");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        JsonNode body = json(answer);
        assertThat(body.get("warnings").toString()).contains("byte order mark");
        assertThat(awaitFinished(body.get("uploadId").asText())).isEqualTo("DONE");
        assertThat(json(get("/api/slides/bom-2")).get("title").asText()).isEqualTo("Second");
    }

    @Test
    void aFormulaIsStoredAsWrittenAndDefusedOnExportAndTheStackKeepsWorking() throws Exception {
        // Runs after (or between) the hostile files: the same stack must still take a good file to DONE.
        String formula = "=HYPERLINK(\"http://evil.example/\",\"click\")";
        String csv = HEADER + "f-1,\"" + formula.replace("\"", "\"\"") + "\",5\nf-2,+1+1,6\n";

        HttpResponse<String> answer = upload("formula.csv", utf8(csv), "");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        assertThat(awaitFinished(json(answer).get("uploadId").asText())).isEqualTo("DONE");
        assertThat(json(get("/api/slides/f-1")).get("title").asText()).isEqualTo(formula);
        assertThat(json(get("/api/slides/f-2")).get("title").asText()).isEqualTo("+1+1");
        HttpResponse<String> exported = get("/api/slides.csv");
        assertThat(exported.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
        String export = exported.body();
        assertThat(export).contains("'" + formula.replace("\"", "\"\"")).contains("'+1+1")
                .doesNotContain(",\"" + formula.replace("\"", "\"\""));

        // The exported file is the upload format: sent back, it changes no slide.
        HttpResponse<String> again = upload("exported.csv", export.getBytes(StandardCharsets.UTF_8), "");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        assertThat(awaitFinished(json(again).get("uploadId").asText())).isEqualTo("DONE");
        assertThat(json(get("/api/slides/f-1")).get("title").asText()).isEqualTo(formula);
        assertThat(json(get("/api/slides/f-2")).get("title").asText()).isEqualTo("+1+1");
    }

    private record Problem(long line, String column, String code) {
        static Problem of(long line, String column, String code) {
            return new Problem(line, column, code);
        }
    }

    private record Counts(long slides, long liveUploads, long announcements) {
    }

    private static Counts counts() {
        return stack.database().jdbi().withHandle(h -> new Counts(
                h.createQuery("SELECT count(*) FROM slides").mapTo(Long.class).one(),
                h.createQuery("SELECT count(*) FROM uploads WHERE status <> 'FAILED'").mapTo(Long.class).one(),
                h.createQuery("SELECT count(*) FROM outbox WHERE type = 'signage.elements.registered.v1'").mapTo(Long.class).one()));
    }

    private static String awaitFinished(String uploadId) throws IOException, InterruptedException {
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of("DONE", "FAILED").contains(status(uploadId)));
        return status(uploadId);
    }

    private static String status(String uploadId) throws IOException, InterruptedException {
        return json(get("/api/uploads/" + uploadId)).get("status").asText();
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", TestStacks.basic("admin", ADMIN_PASSWORD)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> upload(String filename, byte[] content, String query) throws IOException, InterruptedException {
        return TestStacks.upload(base, ADMIN_PASSWORD, filename, content, query);
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.mapper().readTree(response.body());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
