package dev.signagefleet.telemetry.ingest;

import dev.signagefleet.common.Causes;
import dev.signagefleet.common.db.DatabaseErrors;
import dev.signagefleet.common.retry.Backoff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes and stores a batch of raw telemetry messages: retries while the database is unavailable,
 * and sets a message the database refuses aside in quarantine so the others are stored. Returns
 * only when every message is stored or quarantined (then they may be acknowledged) or the consumer
 * is stopping (then none may be).
 */
public final class TelemetryWriter {

    private static final Logger log = LoggerFactory.getLogger(TelemetryWriter.class);

    /** One message as it came off the broker. */
    public record Raw(String topic, byte[] payload) {
    }

    private final TelemetryDecoder decoder;
    private final BatchApplier applier;
    private final Clock clock;
    private final Consumer<BatchApplier.Outcome> afterCommit;
    private final BooleanSupplier running;
    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    private final Counter statuses;
    private final Counter presences;
    private final Counter quarantined;
    private final Counter duplicates;
    private final Counter retries;
    private final Timer commits;
    private volatile boolean retried;

    /**
     * @param running false once the consumer is stopping: retries end and the batch stays unacknowledged
     */
    public TelemetryWriter(TelemetryDecoder decoder, BatchApplier applier, Clock clock, MeterRegistry meters,
                           Consumer<BatchApplier.Outcome> afterCommit, BooleanSupplier running) {
        this.decoder = decoder;
        this.applier = applier;
        this.clock = clock;
        this.afterCommit = afterCommit;
        this.running = running;
        this.statuses = Counter.builder("signage_telemetry_messages").tag("kind", "status")
                .description("Telemetry messages stored").register(meters);
        this.presences = Counter.builder("signage_telemetry_messages").tag("kind", "presence")
                .description("Telemetry messages stored").register(meters);
        this.quarantined = Counter.builder("signage_telemetry_messages").tag("kind", "quarantined")
                .description("Telemetry messages stored").register(meters);
        this.duplicates = Counter.builder("signage_telemetry_duplicates")
                .description("Status messages received again (already in history)").register(meters);
        this.retries = Counter.builder("signage_telemetry_db_retries")
                .description("Batches retried because the database was unavailable").register(meters);
        this.commits = Timer.builder("signage_telemetry_batch_commit")
                .description("Time to store one batch").register(meters);
    }

    /**
     * Stores the batch. While the database is unavailable it retries with backoff; when the
     * database refuses the data itself (a permanent error), the messages are stored one by one and
     * the one that is refused is quarantined with the database's reason, so one bad message never
     * stops the consumer.
     *
     * @return true when every message is stored or quarantined; false when stopped first
     */
    public boolean store(List<Raw> batch) throws InterruptedException {
        retried = false;
        List<TelemetryMessage> messages = new ArrayList<>(batch.size());
        for (Raw raw : batch) {
            messages.add(decoder.decode(raw.topic(), raw.payload()));
        }
        try {
            applyRetrying(messages);
            return true;
        } catch (PermanentFailure e) {
            log.error("The database refused a batch of {} telemetry messages ({}); storing them one by one to set the bad one aside",
                    batch.size(), e.getMessage());
        } catch (Stopped e) {
            return false;
        }
        try {
            for (int i = 0; i < batch.size(); i++) {
                try {
                    applyRetrying(List.of(messages.get(i)));
                } catch (PermanentFailure e) {
                    quarantineRefused(batch.get(i), e);
                }
            }
            return true;
        } catch (Stopped e) {
            return false;
        }
    }

    /**
     * Whether the last {@link #store} had to wait for the database: the messages that piled up
     * meanwhile (in the broker, in the queue) are still to come, so the sweeps must not judge
     * silence from before.
     */
    public boolean lastStoreRetried() {
        return retried;
    }

    private void quarantineRefused(Raw raw, PermanentFailure cause) throws InterruptedException, Stopped {
        String topic = raw.topic();
        String[] levels = topic.split("/");
        String deviceId = levels.length == 4 && levels[2].matches("[A-Za-z0-9_-]{1,64}") ? levels[2] : null;
        String reason = "refused by the database: " + TelemetryDecoder.clean(cause.getMessage(), 400);
        try {
            applyRetrying(List.of(new TelemetryMessage.Rejected(topic, deviceId, reason, raw.payload())));
        } catch (PermanentFailure e) {
            // Nothing more can be done inside the database: keep the bytes in the log rather than lose them silently.
            log.error("Could not even quarantine a message on {} ({}); it is dropped. Payload (Base64): {}", topic,
                    e.getMessage(), java.util.Base64.getEncoder().encodeToString(raw.payload()));
        }
    }

    /** Applies the messages in one transaction, retrying transient failures with backoff. */
    private void applyRetrying(List<TelemetryMessage> messages) throws InterruptedException, PermanentFailure, Stopped {
        int attempt = 0;
        while (true) {
            Instant now = clock.instant();
            try {
                BatchApplier.Outcome outcome = commits.recordCallable(() -> applier.apply(messages, now));
                count(outcome, messages);
                if (attempt > 0) {
                    retried = true;
                    log.info("Database reachable again: stored {} telemetry messages after {} retries", messages.size(), attempt);
                }
                afterCommit.accept(outcome);
                return;
            } catch (Exception e) {
                if (DatabaseErrors.isPermanent(e)) {
                    throw new PermanentFailure(Causes.rootMessage(e));
                }
                attempt++;
                retries.increment();
                if (!running.getAsBoolean()) {
                    log.warn("Stopping with {} telemetry messages not stored; the broker delivers them again on the next start",
                            messages.size());
                    throw new Stopped();
                }
                Duration wait = backoff.delay(attempt);
                log.warn("Could not store {} telemetry messages (attempt {}); they stay unacknowledged and are retried in {} ms. "
                        + "Check that PostgreSQL is reachable: {}", messages.size(), attempt, wait.toMillis(), Causes.rootMessage(e));
                TimeUnit.MILLISECONDS.sleep(wait.toMillis());
            }
        }
    }

    /** The database refused the data; retrying the same statement cannot help. */
    private static final class PermanentFailure extends Exception {
        PermanentFailure(String message) {
            super(message, null, false, false);
        }
    }

    /** The consumer is stopping; what was not stored stays unacknowledged. */
    private static final class Stopped extends Exception {
        Stopped() {
            super(null, null, false, false);
        }
    }

    private void count(BatchApplier.Outcome outcome, List<TelemetryMessage> messages) {
        statuses.increment(outcome.statuses());
        presences.increment(outcome.presences());
        quarantined.increment(outcome.quarantined());
        duplicates.increment(outcome.duplicates());
        for (TelemetryMessage m : messages) {
            if (m instanceof TelemetryMessage.Rejected r) {
                log.warn("Quarantined a message on {} from device {}: {}", r.topic(),
                        r.deviceId() == null ? "(unknown)" : r.deviceId(), r.reason());
            }
        }
    }
}
