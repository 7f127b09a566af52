package dev.signagefleet.telemetry.ingest;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import dev.signagefleet.common.mqtt.MqttClients;
import dev.signagefleet.common.retry.Backoff;
import dev.signagefleet.telemetry.TelemetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives status and presence messages through the shared subscription and stores them in
 * batches. A message is acknowledged to the broker only after the transaction holding it has
 * committed, so a crash at any point loses nothing: unacknowledged messages are delivered again.
 * The broker never has more than {@code receiveMaximum} unacknowledged messages out to this
 * consumer, which bounds its memory; the rest wait in the broker's queue.
 */
public final class TelemetryIngest implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TelemetryIngest.class);

    public static final String STATUS_FILTER = "dt/signage/+/status";
    public static final String PRESENCE_FILTER = "dt/signage/+/presence";

    private final TelemetryConfig config;
    private final TelemetryDecoder decoder;
    private final BatchApplier applier;
    private final Clock clock;
    private final Consumer<BatchApplier.Outcome> afterCommit;
    private final BlockingDeque<Mqtt5Publish> received = new LinkedBlockingDeque<>();
    /** Held while a batch is taken and stored, so {@link #pause()} can wait for the batch in progress. */
    private final ReentrantLock processing = new ReentrantLock();
    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    private final Mqtt5AsyncClient client;
    private final Counter statuses;
    private final Counter presences;
    private final Counter quarantined;
    private final Counter duplicates;
    private final Counter retries;
    private final Timer commits;
    private volatile boolean running;
    private volatile boolean paused;
    private Thread writer;

    public TelemetryIngest(TelemetryConfig config, BatchApplier applier, Clock clock, MeterRegistry meters,
                           Consumer<BatchApplier.Outcome> afterCommit) {
        this.config = config;
        this.decoder = new TelemetryDecoder(config.maxPayloadBytes());
        this.applier = applier;
        this.clock = clock;
        this.afterCommit = afterCommit;
        this.client = MqttClients.builder(config.mqtt(), config.clientId())
                .addConnectedListener(ctx -> subscribe())
                .buildAsync();
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
        Gauge.builder("signage_telemetry_queue_depth", received, BlockingQueue::size)
                .description("Messages received and not yet stored").register(meters);
    }

    /** Connects (the client keeps reconnecting by itself) and starts storing. */
    public void start() {
        running = true;
        writer = new Thread(this::writeLoop, "telemetry-writer");
        writer.start();
        // Register the callback before connecting: a resumed session delivers queued messages at once.
        client.publishes(MqttGlobalPublishFilter.SUBSCRIBED, received::add, true);
        client.connectWith()
                .cleanStart(false)
                .sessionExpiryInterval(config.sessionExpiry().toSeconds())
                .keepAlive(30)
                .restrictions().receiveMaximum(config.receiveMaximum()).applyRestrictions()
                .send()
                .whenComplete((ack, error) -> {
                    if (error != null) {
                        log.warn("Telemetry consumer could not connect to the MQTT broker at {}:{} yet ({}); it keeps trying",
                                config.mqtt().host(), config.mqtt().port(), error.getMessage());
                    } else {
                        log.info("Telemetry consumer {} connected (session resumed: {})", config.clientId(), ack.isSessionPresent());
                    }
                });
    }

    private void subscribe() {
        // Subscribing again on every connect is harmless and repairs a session the broker lost.
        client.subscribe(Mqtt5Subscribe.builder()
                        .addSubscription().topicFilter("$share/" + TelemetryConfig.SHARED_GROUP + "/" + STATUS_FILTER)
                        .qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                        .addSubscription().topicFilter("$share/" + TelemetryConfig.SHARED_GROUP + "/" + PRESENCE_FILTER)
                        .qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                        .build())
                .whenComplete((subAck, error) -> {
                    if (error != null) {
                        log.error("Telemetry consumer could not subscribe to {} and {}: {}", STATUS_FILTER, PRESENCE_FILTER,
                                error.getMessage());
                    } else if (subAck.getReasonCodes().stream().anyMatch(code -> code.isError())) {
                        log.error("The broker refused the telemetry subscriptions: {} (check the service account's permissions)",
                                subAck.getReasonCodes());
                    }
                });
    }

    /**
     * Stops taking messages off the queue (they stay unacknowledged, the broker holds the rest).
     * Returns once the batch in progress, if any, is done.
     */
    public void pause() {
        paused = true;
        processing.lock();
        processing.unlock();
    }

    public void resume() {
        paused = false;
    }

    public boolean isConnected() {
        return client.getState().isConnected();
    }

    /** The MQTT client, shared with the outbox relay that publishes this service's events. */
    public Mqtt5AsyncClient client() {
        return client;
    }

    public int queued() {
        return received.size();
    }

    private void writeLoop() {
        List<Mqtt5Publish> batch = new ArrayList<>(config.batchSize());
        while (running) {
            try {
                if (paused) {
                    TimeUnit.MILLISECONDS.sleep(50);
                    continue;
                }
                Mqtt5Publish first = received.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                processing.lock();
                try {
                    if (paused) {
                        received.putFirst(first);
                        continue;
                    }
                    batch.add(first);
                    received.drainTo(batch, config.batchSize() - 1);
                    if (store(batch)) {
                        batch.forEach(Mqtt5Publish::acknowledge);
                    }
                    batch.clear();
                } finally {
                    processing.unlock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stores the batch, retrying with backoff while the database is unavailable; false if stopped first. */
    private boolean store(List<Mqtt5Publish> batch) throws InterruptedException {
        List<TelemetryMessage> messages = new ArrayList<>(batch.size());
        for (Mqtt5Publish publish : batch) {
            messages.add(decoder.decode(publish.getTopic().toString(), publish.getPayloadAsBytes()));
        }
        int attempt = 0;
        while (true) {
            Instant now = clock.instant();
            try {
                BatchApplier.Outcome outcome = commits.recordCallable(() -> applier.apply(messages, now));
                count(outcome, messages);
                if (attempt > 0) {
                    log.info("Database reachable again: stored {} telemetry messages after {} retries", batch.size(), attempt);
                }
                afterCommit.accept(outcome);
                return true;
            } catch (Exception e) {
                attempt++;
                retries.increment();
                if (!running) {
                    log.warn("Stopping with {} telemetry messages not stored; the broker delivers them again on the next start",
                            batch.size());
                    return false;
                }
                Duration wait = backoff.delay(attempt);
                log.warn("Could not store {} telemetry messages (attempt {}); they stay unacknowledged and are retried in {} ms. "
                                + "Check that PostgreSQL is reachable: {}", batch.size(), attempt, wait.toMillis(), rootMessage(e));
                TimeUnit.MILLISECONDS.sleep(wait.toMillis());
            }
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

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /**
     * Stops: the batch in progress is committed and acknowledged if the database allows within
     * the wait; whatever was not acknowledged is delivered again on the next start.
     */
    @Override
    public void close() {
        running = false;
        if (writer != null) {
            try {
                writer.join(10_000);
                if (writer.isAlive()) {
                    writer.interrupt();
                    writer.join(5_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            client.disconnect().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.debug("Disconnect of {} did not complete cleanly: {}", config.clientId(), e.toString());
        }
    }
}
