package dev.signagefleet.telemetry.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.Causes;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.common.retry.Backoff;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * Telemetry from an SQS queue instead of the broker's shared subscription: on AWS, an IoT topic rule
 * ({@code signage aws setup --status-rule-role}) forwards every {@code dt/signage/+/+} message to the
 * queue as {@code {"payload": Base64 of the bytes, "mqttTopic": the topic}}. Each received batch is
 * stored through the same {@link TelemetryWriter} as MQTT telemetry and deleted from the queue only
 * after it is committed (or quarantined), so a crash loses nothing: the queue delivers it again after
 * the visibility timeout, and the history's key makes the repeat harmless. Instances compete on the
 * queue, so any number may run.
 */
public final class SqsTelemetrySource implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SqsTelemetrySource.class);
    /** The field of the topic rule's message with the MQTT topic the device published on. */
    public static final String TOPIC_FIELD = "mqttTopic";
    /** The field with the payload as published, Base64 ({@code encode(*, 'base64')}). */
    public static final String PAYLOAD_FIELD = "payload";

    private final SqsClient sqs;
    private final String queueUrl;
    private final TelemetryWriter writer;
    private final Clock clock;
    private final Duration visibility;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
    private volatile boolean running;
    private volatile Instant listeningSince;
    private Thread thread;

    /**
     * @param visibility how long a received batch stays hidden from other instances; a batch not
     *                   stored by then (the database is down) is received again, which is harmless
     */
    public SqsTelemetrySource(SqsClient sqs, String queueUrl, TelemetryDecoder decoder, BatchApplier applier, Clock clock,
                              MeterRegistry meters, Consumer<BatchApplier.Outcome> afterCommit, Duration visibility) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.writer = new TelemetryWriter(decoder, applier, clock, meters, afterCommit, () -> running);
        this.clock = clock;
        this.visibility = visibility;
    }

    public void start() {
        running = true;
        thread = new Thread(this::loop, "telemetry-sqs");
        thread.start();
        log.info("Telemetry consumer reads the SQS queue {}", queueUrl);
    }

    /** True while this instance is receiving from the queue. */
    public boolean isListening() {
        return listeningSince != null;
    }

    /** Since when this instance has been receiving without interruption (see {@link TelemetryIngest#listeningSince()}). */
    public Optional<Instant> listeningSince() {
        return Optional.ofNullable(listeningSince);
    }

    /**
     * The MQTT topic and payload a forwarded message stands for. The topic rule sends
     * {@code {"payload": base64 of the bytes as published, "mqttTopic": ...}}, so any payload, JSON
     * or not, arrives byte for byte and the topic comes from the broker, never from the payload. A
     * message without them is quarantined under the queue's name.
     */
    static TelemetryWriter.Raw toRaw(String queueUrl, String body) {
        try {
            JsonNode json = Json.mapper().readTree(body);
            if (json != null && json.path(TOPIC_FIELD).isTextual() && json.path(PAYLOAD_FIELD).isTextual()) {
                return new TelemetryWriter.Raw(json.get(TOPIC_FIELD).asText(),
                        java.util.Base64.getDecoder().decode(json.get(PAYLOAD_FIELD).asText()));
            }
        } catch (java.io.IOException | IllegalArgumentException e) {
            // not JSON, or not Base64: quarantined below with the body as it came
        }
        return new TelemetryWriter.Raw("sqs:" + queueUrl.substring(queueUrl.lastIndexOf('/') + 1),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private void loop() {
        try {
            receiveAndStore();
        } catch (Error e) {
            log.error("The SQS telemetry reader stopped: {}. Nothing more is read from {}; it reports not ready. Restart it "
                    + "(what it had received comes again after the visibility timeout)", e, queueUrl, e);
        } finally {
            listeningSince = null;
        }
    }

    private void receiveAndStore() {
        int failures = 0;
        while (running) {
            List<Message> messages;
            try {
                messages = sqs.receiveMessage(ReceiveMessageRequest.builder().queueUrl(queueUrl)
                        .maxNumberOfMessages(10).waitTimeSeconds(2)
                        .visibilityTimeout((int) visibility.toSeconds()).build()).messages();
                if (listeningSince == null) {
                    listeningSince = clock.instant();
                }
                failures = 0;
            } catch (RuntimeException e) {
                listeningSince = null;
                failures++;
                Duration wait = backoff.delay(failures);
                log.warn("Could not receive telemetry from the SQS queue {} (attempt {}): {}; trying again in {} s. Check the queue "
                        + "name, the region and the credentials", queueUrl, failures, Causes.rootMessage(e), wait.toSeconds());
                sleep(wait);
                continue;
            }
            if (messages.isEmpty()) {
                continue;
            }
            List<TelemetryWriter.Raw> batch = new ArrayList<>(messages.size());
            for (Message m : messages) {
                batch.add(toRaw(queueUrl, m.body()));
            }
            try {
                if (!writer.store(batch)) {
                    return; // stopping: not stored, so not deleted; the queue delivers them again
                }
                if (writer.lastStoreRetried()) {
                    // The database was away: the queue holds statuses of that time, so silence before now means nothing.
                    listeningSince = clock.instant();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("Unexpected failure while storing {} telemetry messages from SQS; they become visible again in {} s",
                        batch.size(), visibility.toSeconds(), e);
                continue;
            }
            delete(messages);
        }
    }

    private void delete(List<Message> messages) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                    .receiptHandle(messages.get(i).receiptHandle()).build());
        }
        try {
            var result = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            if (!result.failed().isEmpty()) {
                log.warn("SQS did not delete {} stored telemetry messages ({}); they come again and are counted as duplicates",
                        result.failed().size(), result.failed().get(0).message());
            }
        } catch (RuntimeException e) {
            log.warn("Could not delete {} stored telemetry messages from SQS ({}); they come again and are counted as duplicates",
                    messages.size(), Causes.rootMessage(e));
        }
    }

    private void sleep(Duration wait) {
        try {
            TimeUnit.MILLISECONDS.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Stops after the batch in progress (stored and deleted, or left for redelivery). */
    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(15_000);
                if (thread.isAlive()) {
                    thread.interrupt();
                    thread.join(5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        listeningSince = null;
    }
}
