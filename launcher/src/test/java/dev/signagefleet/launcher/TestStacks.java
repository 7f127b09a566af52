package dev.signagefleet.launcher;

import static org.awaitility.Awaitility.await;

import dev.signagefleet.common.sqs.SqsClients;
import dev.signagefleet.common.sqs.SqsSettings;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import dev.signagefleet.testing.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Options of a whole local stack for the tests: loopback, free ports, embedded parts, a known admin password. */
final class TestStacks {

    private TestStacks() {
    }

    /** Everything embedded, on free loopback ports, with {@code devices} simulated terminals. */
    static StackOptions local(Path dataDir, int devices, String adminPassword) {
        return new StackOptions(dataDir, "127.0.0.1", FreePorts.next(), FreePorts.next(), FreePorts.next(), devices,
                Duration.ofSeconds(30), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(adminPassword), 100_000, false);
    }

    /**
     * Sends content-builder an event it can never handle (an upload id that is not a UUID) and
     * waits until it is a dead letter (the stack must run with a low SIGNAGE_SQS_MAX_RECEIVES).
     *
     * @return the dead letter's id
     */
    static long poisonDeadLetter(Stack stack, String eventId) {
        try (SqsClient sqs = SqsClients.create(SqsSettings.local(stack.sqsEndpoint()))) {
            String queue = sqs.getQueueUrl(b -> b.queueName("signage-content-builder")).queueUrl();
            sqs.sendMessage(b -> b.queueUrl(queue).messageBody("{\"specversion\":\"1.0\",\"id\":\"" + eventId
                    + "\",\"source\":\"/test\",\"type\":\"signage.elements.registered.v1\","
                    + "\"time\":\"2026-11-24T00:00:00Z\",\"data\":{\"uploadId\":\"not-a-uuid\"}}"));
        }
        return await().atMost(Duration.ofSeconds(60)).until(() -> stack.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT id FROM dead_letters WHERE event_id = :e AND state = 'dead'")
                .bind("e", eventId).mapTo(Long.class).findOne()), Optional::isPresent).orElseThrow();
    }

    /** Sends a file to {@code POST {base}/api/uploads{query}} as the console's form does, as admin. */
    static java.net.http.HttpResponse<String> upload(String base, String adminPassword, String filename, byte[] content, String query)
            throws java.io.IOException, InterruptedException {
        Multipart form = new Multipart("file", filename, content);
        return HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/uploads" + query))
                .header("Authorization", basic("admin", adminPassword))
                .header("Content-Type", form.contentType())
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(form.body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
