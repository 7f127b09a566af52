package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A build that fails is compensated: the upload ends FAILED with the reason, its slides stop being
 * active, and every group keeps the content it had.
 */
class BuildFailureIT {

    private static final String ADMIN_PASSWORD = "build-failure-it";
    private static final HttpClient http = HttpClient.newHttpClient();
    private static Stack stack;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        StackOptions options = TestStacks.local(Files.createTempDirectory("build-failure-it-"), 0, ADMIN_PASSWORD);
        // Packages over 16 KB fail to build: small enough to trip with one big upload.
        stack = Stack.start(options, Settings.of(Map.of("SIGNAGE_MAX_PACKAGE_BYTES", "16384")), Clock.systemUTC());
        base = "http://127.0.0.1:" + stack.httpPort();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static String auth() {
        return TestStacks.basic("admin", ADMIN_PASSWORD);
    }

    private static JsonNode get(String path) throws IOException, InterruptedException {
        return Json.mapper().readTree(http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth())
                .build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static int status(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String upload(String csv) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/api/uploads"))
                .header("Authorization", auth()).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString(csv)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return Json.mapper().readTree(response.body()).get("uploadId").asText();
    }

    private static String awaitFinished(String uploadId) {
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/api/uploads/" + uploadId).get("status").asText()
                .matches("DONE|FAILED"));
        try {
            return get("/api/uploads/" + uploadId).get("status").asText();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aFailedBuildLeavesThePreviousContentCurrentAndItsSlidesInactive() throws Exception {
        String first = upload("slide_id,title,duration_sec,target_group\nshared,First version,10,kobe\n");
        assertThat(awaitFinished(first)).isEqualTo("DONE");
        String current = get("/api/contents?group=kobe").get("items").get(0).get("version").asText();

        // Incompressible text in many slides: the package outgrows the limit.
        StringBuilder big = new StringBuilder("slide_id,title,body,duration_sec,target_group\nshared,Second version,,10,kobe\n");
        Random random = new Random(7);
        for (int i = 0; i < 40; i++) {
            StringBuilder body = new StringBuilder();
            for (int c = 0; c < 1500; c++) {
                body.append((char) ('a' + random.nextInt(26)));
            }
            big.append("big-").append(i).append(",Big ").append(i).append(',').append(body).append(",10,kobe\n");
        }
        String second = upload(big.toString());
        assertThat(awaitFinished(second)).isEqualTo("FAILED");
        JsonNode failed = get("/api/uploads/" + second);
        assertThat(failed.get("reason").asText()).contains("content build failed").contains("larger than the limit");
        assertThat(failed.get("timeline").findValuesAsText("type")).contains("signage.content.build-failed.v1");

        // Compensated: the old version of the shared slide counts again, the new slides do not, content unchanged.
        assertThat(get("/api/slides/shared").get("title").asText()).isEqualTo("First version");
        assertThat(status("/api/slides/big-0")).isEqualTo(404);
        JsonNode versions = get("/api/contents?group=kobe").get("items");
        assertThat(versions).hasSize(1);
        assertThat(versions.get(0).get("version").asText()).isEqualTo(current);
        assertThat(versions.get(0).get("current").asBoolean()).isTrue();
    }
}
