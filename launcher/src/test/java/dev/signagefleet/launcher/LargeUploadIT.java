package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import java.io.BufferedWriter;
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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A large file through the whole pipeline: streamed upload, COPY, packages for every group. The
 * CI size is 100,000 rows; the 1,000,000-row run is tagged {@code slow} ({@code mvn verify -Dgroups=slow}).
 */
class LargeUploadIT {

    private static final String ADMIN_PASSWORD = "large-upload-it";
    private static final HttpClient http = HttpClient.newHttpClient();
    private static Stack stack;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        StackOptions options = TestStacks.local(Files.createTempDirectory("large-upload-it-"), 0, ADMIN_PASSWORD);
        stack = Stack.start(options, Settings.of(Map.of()), Clock.systemUTC());
        base = "http://127.0.0.1:" + stack.httpPort();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static String auth() {
        return TestStacks.basic("admin", ADMIN_PASSWORD);
    }

    private static Path file(int rows, int groups) throws IOException {
        Path file = Files.createTempFile("large-", ".csv");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("slide_id,title,body,duration_sec,target_group,priority\n");
            for (int i = 0; i < rows; i++) {
                // ~51 bytes a row, so a million rows stay under the default 64 MB upload limit.
                out.write("s-" + i + ",Slide " + i + ",\"B, " + i + "\"," + (5 + i % 50)
                        + ",group-" + (i % groups) + "," + (i % 101) + "\n");
            }
        }
        return file;
    }

    private static void runThroughThePipeline(int rows, int groups) throws Exception {
        Path file = file(rows, groups);
        long started = System.nanoTime();
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/uploads?filename=large.csv"))
                .header("Authorization", auth()).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofFile(file)).timeout(Duration.ofMinutes(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        long acceptedAt = System.nanoTime();
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode body = Json.mapper().readTree(accepted.body());
        assertThat(body.get("rows").asLong()).isEqualTo(rows);
        String uploadId = body.get("uploadId").asText();
        await().atMost(Duration.ofMinutes(5)).until(() -> status(uploadId).matches("DONE|FAILED"));
        long doneAt = System.nanoTime();
        assertThat(status(uploadId)).isEqualTo("DONE");
        JsonNode versions = get("/api/contents").get("items");
        assertThat(versions.findValuesAsText("group")).contains("group-0", "group-" + (groups - 1));
        long slides = 0;
        for (JsonNode v : versions) {
            slides += v.get("slides").asLong();
        }
        assertThat(slides).isEqualTo(rows);
        // Figures for the log only; speed is measured in the benchmarks, not asserted here.
        System.out.printf("LargeUploadIT: %d rows (%d MB): accepted in %d ms (%.0f rows/s), DONE after %d ms%n", rows,
                Files.size(file) / 1_000_000, (acceptedAt - started) / 1_000_000,
                rows / ((acceptedAt - started) / 1e9), (doneAt - started) / 1_000_000);
        Files.delete(file);
    }

    private static String status(String uploadId) throws IOException, InterruptedException {
        return get("/api/uploads/" + uploadId).get("status").asText();
    }

    private static JsonNode get(String path) throws IOException, InterruptedException {
        return Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth())
                .build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void oneHundredThousandRowsReachDone() throws Exception {
        runThroughThePipeline(100_000, 20);
    }

    @Test
    @Tag("slow")
    void oneMillionRowsReachDone() throws Exception {
        stack.database().jdbi().useHandle(h -> h.execute("DELETE FROM slides"));
        runThroughThePipeline(1_000_000, 100);
    }
}
