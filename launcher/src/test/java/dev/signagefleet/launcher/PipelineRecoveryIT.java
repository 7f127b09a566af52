package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The embedded queue server forgets its messages when the stack stops. An upload whose event was
 * lost that way still finishes after a restart: recent events are sent again, and consumers skip
 * the ones they already handled.
 */
class PipelineRecoveryIT {

    private static final String ADMIN_PASSWORD = "recovery-it";
    private final HttpClient http = HttpClient.newHttpClient();

    private static Stack start(Path dataDir, Map<String, String> env) {
        StackOptions options = TestStacks.local(dataDir, 0, ADMIN_PASSWORD);
        return Stack.start(options, Settings.of(env), Clock.systemUTC());
    }

    private String status(Stack stack, String uploadId) throws Exception {
        String auth = TestStacks.basic("admin", ADMIN_PASSWORD);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.httpPort()
                + "/api/uploads/" + uploadId)).header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(response.body()).get("status").asText();
    }

    @Test
    void anUploadWhoseEventWasLostFinishesAfterARestart() throws Exception {
        Path dataDir = Files.createTempDirectory("recovery-it-");
        // First run: the builder's queue receives nothing, as if the queue server had lost the event.
        Stack first = start(dataDir, Map.of("SIGNAGE_SUBSCRIPTIONS", "content-builder=signage.nothing.v1;"
                + "content-registry=signage.content.built.v1;csv-ingest=signage.content.build-started.v1,"
                + "signage.content.built.v1,signage.content.build-failed.v1,signage.content.registered.v1"));
        String uploadId;
        try {
            String auth = TestStacks.basic("admin", ADMIN_PASSWORD);
            HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.httpPort()
                            + "/api/uploads")).header("Authorization", auth).header("Content-Type", "text/csv")
                    .POST(HttpRequest.BodyPublishers.ofString("slide_id,title,duration_sec,target_group\nr-1,Recovered,9,sendai\n"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(accepted.statusCode()).isEqualTo(202);
            uploadId = Json.mapper().readTree(accepted.body()).get("uploadId").asText();
            await().atMost(Duration.ofSeconds(10)).until(() -> first.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT count(*) FROM outbox WHERE subject = :u AND published_at IS NOT NULL").bind("u", uploadId)
                    .mapTo(Long.class).one()) == 1);
            // Published, yet nobody builds it: the event is lost for this run.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> status(first, uploadId).equals("ACCEPTED"));
        } finally {
            first.close();
        }

        Stack second = start(dataDir, Map.of());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> status(second, uploadId).equals("DONE"));
        } finally {
            second.close();
        }
    }
}
