package dev.signagefleet.telemetry.ingest;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import dev.signagefleet.common.mqtt.MqttClients;
import dev.signagefleet.telemetry.TelemetryConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives status and presence messages through the shared subscription and stores them in
 * batches (through {@link TelemetryWriter}). A message is acknowledged to the broker only after the
 * transaction holding it has committed, so a crash at any point loses nothing: unacknowledged
 * messages are delivered again. The broker never has more than {@code receiveMaximum} unacknowledged
 * messages out to this consumer (HiveMQ CE also caps it at its outgoing window: 50 by default, which
 * made every transaction at most 50 statuses; the embedded broker raises it to 1,000), which bounds
 * its memory; the rest wait in the broker's queue.
 */
public final class TelemetryIngest implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TelemetryIngest.class);

    public static final String STATUS_FILTER = "dt/signage/+/status";
    public static final String PRESENCE_FILTER = "dt/signage/+/presence";

    private final TelemetryConfig config;
    private final Clock clock;
    private final TelemetryWriter writerLogic;
    private final BlockingDeque<Mqtt5Publish> received = new LinkedBlockingDeque<>();
    /** Held while a batch is taken and stored, so {@link #pause()} can wait for the batch in progress. */
    private final ReentrantLock processing = new ReentrantLock();
    private final Mqtt5AsyncClient client;
    private volatile boolean running;
    /** Set on close: stops the client's automatic reconnect. */
    private volatile boolean closing;
    private volatile boolean paused;
    private volatile boolean subscribed;
    private volatile boolean writerFailed;
    private volatile Instant listeningSince;
    private Thread writer;
    private final boolean subscribes;

    public TelemetryIngest(TelemetryConfig config, BatchApplier applier, Clock clock, MeterRegistry meters,
                           Consumer<BatchApplier.Outcome> afterCommit) {
        this(config, applier, clock, meters, afterCommit, true);
    }

    /**
     * @param subscribe false when the telemetry comes from elsewhere (an SQS queue): the client then
     *                  only connects, for the outbox relay that publishes the service's events
     */
    public TelemetryIngest(TelemetryConfig config, BatchApplier applier, Clock clock, MeterRegistry meters,
                           Consumer<BatchApplier.Outcome> afterCommit, boolean subscribe) {
        this.subscribes = subscribe;
        this.config = config;
        this.clock = clock;
        this.writerLogic = new TelemetryWriter(new TelemetryDecoder(config.maxPayloadBytes(), clock), applier, clock,
                meters, afterCommit, () -> running);
        this.client = MqttClients.builder(config.mqtt(), config.clientId(), () -> closing)
                .addConnectedListener(ctx -> subscribe())
                .addDisconnectedListener(ctx -> {
                    subscribed = false;
                    listeningSince = null;
                })
                .buildAsync();
        Gauge.builder("signage_telemetry_queue_depth", received, BlockingQueue::size)
                .description("Messages received and not yet stored").register(meters);
    }

    /** Connects (the client keeps reconnecting by itself) and starts storing. */
    public void start() {
        running = true;
        writer = new Thread(this::writeLoop, "telemetry-writer");
        writer.start();
        // Register the callback before connecting: a resumed session delivers queued and in-flight
        // messages at once, before this new client instance has re-subscribed. With the SUBSCRIBED
        // filter the client would acknowledge and drop those (hivemq-mqtt-client #254, #521), so take
        // ALL; the decoder quarantines any topic that is not a device's status or presence.
        client.publishes(MqttGlobalPublishFilter.ALL, received::add, true);
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
        if (!subscribes) {
            return;
        }
        // Subscribing again on every connect is harmless and repairs a session the broker lost.
        // One filter per SUBSCRIBE: HiveMQ CE (2025.5, still in 2026.5) handles a SUBSCRIBE with two or more
        // filters on its batched path, which drops the shared-subscription cache before the subscriptions are
        // persisted. A poll of this connection in that window sees no shared subscription and marks the
        // connection "noSharedSubscription" until it disconnects: the broker then sends one window (50) of the
        // shared queue and no more (CI: BrokerQueueBoundIT stalled at 50 of 4,000 on a fresh session). A
        // single-filter SUBSCRIBE persists first, then invalidates and polls.
        CompletableFuture<Boolean> status = subscribeShared(STATUS_FILTER);
        CompletableFuture<Boolean> presence = subscribeShared(PRESENCE_FILTER);
        status.thenCombine(presence, Boolean::logicalAnd).thenAccept(granted -> {
            if (granted) {
                listeningSince = clock.instant();
                subscribed = true;
            }
        });
    }

    /** One shared subscription; completes with whether the broker granted it (a refusal or failure is logged). */
    private CompletableFuture<Boolean> subscribeShared(String filter) {
        return client.subscribe(Mqtt5Subscribe.builder()
                        .addSubscription().topicFilter("$share/" + TelemetryConfig.SHARED_GROUP + "/" + filter)
                        .qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                        .build())
                .handle((subAck, error) -> {
                    if (error != null) {
                        log.error("Telemetry consumer could not subscribe to {}: {}", filter, error.getMessage());
                        return false;
                    }
                    if (subAck.getReasonCodes().stream().anyMatch(code -> code.isError())) {
                        log.error("The broker refused the telemetry subscription to {}: {} (check the service account's permissions)",
                                filter, subAck.getReasonCodes());
                        return false;
                    }
                    return true;
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

    /** Connected and subscribed, and its writer alive: messages reach this consumer and are stored. */
    public boolean isListening() {
        return subscribed && isConnected() && !writerFailed;
    }

    /**
     * Since when this consumer has been receiving without interruption, or empty while it is not.
     * Silence of a device before this time may only mean its messages were waiting in the broker.
     */
    public java.util.Optional<Instant> listeningSince() {
        Instant since = listeningSince;
        return since == null || !isListening() ? java.util.Optional.empty() : java.util.Optional.of(since);
    }

    /** The MQTT client, shared with the outbox relay that publishes this service's events. */
    public Mqtt5AsyncClient client() {
        return client;
    }

    public int queued() {
        return received.size();
    }

    private void writeLoop() {
        try {
            takeAndStore();
        } catch (Error e) {
            // A broken installation (a class missing, out of memory): stop listening loudly, so /readyz fails and
            // the process is restarted, instead of a consumer that looks alive and stores nothing.
            writerFailed = true;
            log.error("The telemetry writer stopped: {}. Nothing more is stored by {}; it reports not ready. Restart it "
                    + "(the unacknowledged messages are delivered again)", e, config.clientId(), e);
        }
    }

    private void takeAndStore() {
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
                    List<TelemetryWriter.Raw> raw = new ArrayList<>(batch.size());
                    for (Mqtt5Publish publish : batch) {
                        raw.add(new TelemetryWriter.Raw(publish.getTopic().toString(), publish.getPayloadAsBytes()));
                    }
                    if (writerLogic.store(raw)) {
                        batch.forEach(Mqtt5Publish::acknowledge);
                        if (writerLogic.lastStoreRetried() && listeningSince != null) {
                            // The database was away: the broker holds statuses of that time, so silence before now means nothing.
                            listeningSince = clock.instant();
                        }
                    }
                } catch (RuntimeException e) {
                    // A bug must not kill the writer: put the batch back, unacknowledged, and try again later.
                    log.error("Unexpected failure while storing {} telemetry messages; retrying in 5 s", batch.size(), e);
                    for (int i = batch.size() - 1; i >= 0; i--) {
                        received.putFirst(batch.get(i));
                    }
                    TimeUnit.SECONDS.sleep(5);
                } finally {
                    batch.clear();
                    processing.unlock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Stops: the batch in progress is committed and acknowledged if the database allows within
     * the wait; whatever was not acknowledged is delivered again on the next start.
     */
    @Override
    public void close() {
        running = false;
        closing = true;
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
            if (client.getState().isConnected()) {
                client.disconnect().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            log.debug("Disconnect of {} did not complete cleanly: {}", config.clientId(), e.toString());
        }
    }
}
