package dev.signagefleet.telemetry;

import dev.signagefleet.common.db.Database;
import dev.signagefleet.common.mqtt.MqttEventPublisher;
import dev.signagefleet.common.outbox.OutboxRelay;
import dev.signagefleet.telemetry.connectivity.ConnectivitySweeper;
import dev.signagefleet.telemetry.fleet.ContentSync;
import dev.signagefleet.telemetry.gaps.StatusGapSweeper;
import dev.signagefleet.telemetry.sync.ContentSyncSweeper;
import dev.signagefleet.telemetry.connectivity.DeviceEventLog;
import dev.signagefleet.telemetry.history.HistoryMaintenance;
import dev.signagefleet.telemetry.ingest.BatchApplier;
import dev.signagefleet.telemetry.ingest.QuarantineReplay;
import dev.signagefleet.telemetry.ingest.TelemetryDecoder;
import dev.signagefleet.telemetry.ingest.SqsTelemetrySource;
import dev.signagefleet.telemetry.ingest.TelemetryIngest;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sqs.SqsClient;
import dev.signagefleet.telemetry.state.StateRules;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The telemetry consumer, wired by hand: MQTT ingest → batches in Postgres → connectivity events
 * through the outbox back onto the broker; plus the sweepers that age silent devices and announce
 * content out of sync / back in sync, and the history partition maintenance. Start one or several instances; they share the subscription.
 */
public final class TelemetryConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TelemetryConsumer.class);

    /** Topic filters the service account needs on the broker (the AWS IoT policy grants the same). */
    public static final List<String> BROKER_SHARED_SUBSCRIPTIONS =
            List.of(TelemetryIngest.STATUS_FILTER, TelemetryIngest.PRESENCE_FILTER);
    public static final List<String> BROKER_PUBLISH = List.of("evt/#");

    private final TelemetryConfig config;
    private final TelemetryIngest ingest;
    private final OutboxRelay relay;
    private final ConnectivitySweeper sweeper;
    private final ContentSyncSweeper contentSync;
    private final StatusGapSweeper gaps;
    private final HistoryMaintenance partitions;
    private final ScheduledExecutorService scheduler;
    private final QuarantineReplay replay;
    private final SqsTelemetrySource sqs;

    /** Telemetry from an SQS queue fed by an AWS IoT topic rule, instead of the broker's shared subscription. */
    public record SqsSource(SqsClient client, String queueUrl, Duration visibility) {
    }

    private TelemetryConsumer(TelemetryConfig config, Database database, Clock clock, MeterRegistry meters,
                              Optional<SqsSource> sqsSource) {
        this.config = config;
        StateRules rules = new StateRules(config.heartbeat());
        this.partitions = new HistoryMaintenance(database.jdbi(), clock, config.retentionDays());
        BatchApplier applier = new BatchApplier(database.jdbi(), rules);
        this.ingest = new TelemetryIngest(config, applier, clock, meters, this::afterCommit, sqsSource.isEmpty());
        this.sqs = sqsSource.map(source -> new SqsTelemetrySource(source.client(), source.queueUrl(),
                new TelemetryDecoder(config.maxPayloadBytes(), clock), applier, clock, meters, this::afterCommit,
                source.visibility())).orElse(null);
        Supplier<Optional<Instant>> listening = sqs != null ? sqs::listeningSince : ingest::listeningSince;
        this.sweeper = new ConnectivitySweeper(database.jdbi(), rules, clock, listening);
        this.contentSync = new ContentSyncSweeper(database.jdbi(), clock, ContentSync.DEFAULT_PENDING_GRACE, listening);
        this.gaps = new StatusGapSweeper(database.jdbi(), clock, StatusGapSweeper.DEFAULT_GRACE, listening);
        this.relay = new OutboxRelay(database.jdbi(), DeviceEventLog.SOURCE,
                new MqttEventPublisher(ingest.client(), Duration.ofSeconds(10)), OutboxRelay.Options.defaults(), meters);
        this.replay = new QuarantineReplay(database.jdbi(), new TelemetryDecoder(config.maxPayloadBytes(), clock), applier, clock,
                relay::nudge);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "telemetry-maintenance");
            t.setDaemon(true);
            return t;
        });
    }

    /** Prepares history partitions, connects, and starts storing, sweeping and relaying. */
    public static TelemetryConsumer start(TelemetryConfig config, Database database, Clock clock, MeterRegistry meters) {
        return start(config, database, clock, meters, Optional.empty());
    }

    /** As {@link #start(TelemetryConfig, Database, Clock, MeterRegistry)}, reading the telemetry from {@code sqsSource} when given. */
    public static TelemetryConsumer start(TelemetryConfig config, Database database, Clock clock, MeterRegistry meters,
                                          Optional<SqsSource> sqsSource) {
        log.info("Telemetry consumer configuration: {}{}", config,
                sqsSource.map(s -> ", telemetry from the SQS queue " + s.queueUrl()).orElse(", telemetry from the MQTT shared subscription"));
        TelemetryConsumer consumer = new TelemetryConsumer(config, database, clock, meters, sqsSource);
        consumer.partitions.maintain();
        consumer.ingest.start();
        if (consumer.sqs != null) {
            consumer.sqs.start();
        }
        consumer.relay.start();
        long sweepMillis = config.sweepInterval().toMillis();
        consumer.scheduler.scheduleWithFixedDelay(consumer::sweepQuietly, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        consumer.scheduler.scheduleWithFixedDelay(consumer::maintainQuietly, 1, 1, TimeUnit.HOURS);
        log.info("Telemetry consumer {} started: heartbeat {} s (stale after {} s, offline after {} s), batches of {}, history kept {} days",
                config.clientId(), config.heartbeat().toSeconds(), config.heartbeat().toSeconds() * 2,
                config.heartbeat().toSeconds() * 3, config.batchSize(), config.retentionDays());
        return consumer;
    }

    /** Puts quarantined messages back into the history, with this consumer's rules and limits. */
    public QuarantineReplay quarantineReplay() {
        return replay;
    }

    private void afterCommit(BatchApplier.Outcome outcome) {
        // The relay is created after the ingest; a batch cannot commit before start() runs both.
        if (!outcome.changes().isEmpty() && relay != null) {
            relay.nudge();
        }
    }

    private void sweepQuietly() {
        try {
            if (!sweeper.sweep().isEmpty()) {
                relay.nudge();
            }
        } catch (RuntimeException e) {
            log.warn("Connectivity sweep failed, will try again in {} s: {}", config.sweepInterval().toSeconds(), e.getMessage());
        }
        try {
            if (contentSync.sweep() > 0) {
                relay.nudge();
            }
        } catch (RuntimeException e) {
            log.warn("Content sync sweep failed, will try again in {} s: {}", config.sweepInterval().toSeconds(), e.getMessage());
        }
        try {
            if (!gaps.sweep().isEmpty()) {
                relay.nudge();
            }
        } catch (RuntimeException e) {
            log.warn("Status gap sweep failed, will try again in {} s: {}", config.sweepInterval().toSeconds(), e.getMessage());
        }
    }

    private void maintainQuietly() {
        try {
            partitions.maintain();
        } catch (RuntimeException e) {
            log.warn("History partition maintenance failed, will try again in an hour: {}", e.getMessage());
        }
    }

    public TelemetryIngest ingest() {
        return ingest;
    }

    public ConnectivitySweeper sweeper() {
        return sweeper;
    }

    /** Judges suspected seq gaps (run by the consumer's schedule; public for tests). */
    public StatusGapSweeper gaps() {
        return gaps;
    }

    public OutboxRelay relay() {
        return relay;
    }

    /** Connected to the broker and subscribed: telemetry is flowing in. */
    public boolean isListening() {
        return sqs != null ? sqs.isListening() && ingest.isConnected() : ingest.isListening();
    }

    /** Stops sweeping, finishes and acknowledges the batch in progress, then stops relaying. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        relay.close();
        if (sqs != null) {
            sqs.close();
        }
        ingest.close();
        log.info("Telemetry consumer {} stopped", config.clientId());
    }
}
