package dev.signagefleet.launcher.stack;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.signagefleet.builder.ContentBuilder;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.content.ContentPackages;
import dev.signagefleet.common.db.Database;
import dev.signagefleet.common.mqtt.MqttClients;
import dev.signagefleet.common.mqtt.MqttSettings;
import dev.signagefleet.common.outbox.OutboxRelay;
import dev.signagefleet.common.retry.Backoff;
import dev.signagefleet.common.sqs.DeadLetters;
import dev.signagefleet.common.sqs.EventHandler;
import dev.signagefleet.common.sqs.QueueDirectory;
import dev.signagefleet.common.sqs.QueueTopology;
import dev.signagefleet.common.sqs.SqsClients;
import dev.signagefleet.common.sqs.SqsEventConsumer;
import dev.signagefleet.common.sqs.SqsEventPublisher;
import dev.signagefleet.common.sqs.SqsSettings;
import dev.signagefleet.contentregistry.ContentRegistry;
import dev.signagefleet.contentregistry.assignment.MqttAssignmentPublisher;
import dev.signagefleet.contentregistry.catalog.ContentCatalog;
import dev.signagefleet.ingest.journey.UploadJourney;
import dev.signagefleet.ingest.upload.UploadQueries;
import dev.signagefleet.ingest.upload.UploadService;
import dev.signagefleet.ingest.versions.SupersededSlides;
import dev.signagefleet.management.devices.DeviceCommands;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The CSV → content pipeline wired by hand: csv-ingest, content-builder and content-registry, each
 * with its outbox relay publishing to SQS through the subscription map and its own queue consumer.
 * Nobody calls anybody: each reacts to the events it subscribed to.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

    /**
     * What one process runs of the pipeline: the whole stack runs every part; a service process
     * ({@code signage service NAME}) the parts of its service. The read side (uploads, catalog, dead
     * letters) is always there, for the HTTP API.
     */
    public enum Part {
        /** csv-ingest: relays the uploads' events and follows their journey. */
        CSV_INGEST,
        /** content-builder: builds a package per group. */
        CONTENT_BUILDER,
        /** content-registry: registers versions and tells the terminals. */
        CONTENT_REGISTRY,
        /** The console's commands to one terminal (move to a group, retry content), over MQTT. */
        DEVICE_COMMANDS
    }

    /** The broker account content-registry publishes assignments with. */
    public static final String REGISTRY_ACCOUNT = "svc-content-registry";

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final SqsClient sqs;
    final UploadService uploads;
    final UploadQueries uploadQueries;
    final ContentCatalog catalog;
    final DeadLetters deadLetters;
    /**
     * Commands to one terminal (the console's bulk actions), sent with the content registry's broker
     * account; null when this process runs neither content-registry nor the device commands.
     */
    final DeviceCommands deviceCommands;
    final QueueTopology topology;

    /**
     * @param volatileQueues the queue server forgets messages when it stops (the embedded ElasticMQ)
     * @param mqtt           the broker and the content-registry's service login
     * @param publicBaseUrl  where terminals download packages (the HTTP API's public address)
     * @param parts          what this process runs
     * @param mqttClientId   the MQTT client id of this process's publisher (unique per process)
     */
    public Pipeline(Settings env, Database database, SqsSettings sqsSettings, boolean volatileQueues, MqttSettings mqtt,
             Path contentDir, java.util.function.Supplier<String> publicBaseUrl, Clock clock, MeterRegistry meters,
             java.util.Set<Part> parts, String mqttClientId) {
        this.sqs = SqsClients.create(sqsSettings);
        try {
            QueueDirectory queues = new QueueDirectory(sqs, PipelineQueues.maxReceives(env), PipelineQueues.visibility(env));
            this.topology = PipelineQueues.topology(env);
            if (env.bool("SIGNAGE_SQS_PROVISION", true)) {
                try {
                    topology.queues().forEach(queues::provision);
                } catch (RuntimeException e) {
                    sqs.close();
                    throw new StackStartException("cannot prepare the SQS queues at " + sqsSettings.endpoint().orElse("AWS")
                            + ": " + dev.signagefleet.common.Causes.rootMessage(e)
                            + ". Check --sqs-url and the SQS credentials (SIGNAGE_SQS_ACCESS_KEY/_SECRET_KEY or the AWS default chain)", e);
                }
            }
            log.info("Event subscriptions: {}", topology);
            warnAboutMissingSubscriptions(topology);
            if (volatileQueues) {
                // The embedded queue server keeps messages in memory only: what it held when the stack
                // stopped is gone. Send the recent events again; consumers skip what they already handled.
                Instant since = clock.instant().minus(env.seconds("SIGNAGE_REPLAY_WINDOW_SEC", Duration.ofDays(1),
                        Duration.ZERO, Duration.ofDays(30)));
                int replayed = 0;
                for (String source : List.of(UploadService.SOURCE, ContentBuilder.SOURCE, ContentRegistry.SOURCE)) {
                    replayed += OutboxRelay.republishSince(database.jdbi(), source, since);
                }
                if (replayed > 0) {
                    log.info("Sending {} recent event(s) again: the embedded queue server does not keep messages across restarts", replayed);
                }
            }
            ContentPackages packages = new ContentPackages(contentDir);
            SqsEventPublisher publisher = new SqsEventPublisher(queues, topology);
            OutboxRelay.Options relayOptions = new OutboxRelay.Options(Duration.ofMillis(200), 100, Duration.ofDays(7));

            // A relay of a part this process does not run is created but not started: its nudges are then harmless.
            OutboxRelay ingestRelay = relay(database, UploadService.SOURCE, publisher, relayOptions, meters,
                    parts.contains(Part.CSV_INGEST));
            OutboxRelay builderRelay = relay(database, ContentBuilder.SOURCE, publisher, relayOptions, meters,
                    parts.contains(Part.CONTENT_BUILDER));
            OutboxRelay registryRelay = relay(database, ContentRegistry.SOURCE, publisher, relayOptions, meters,
                    parts.contains(Part.CONTENT_REGISTRY));

            ZoneId zone = ZoneId.of(env.string("SIGNAGE_FLEET_ZONE", "Asia/Tokyo"));
            this.uploads = new UploadService(database.jdbi(), clock, zone);
            uploads.onAccepted(ingestRelay::nudge);
            this.uploadQueries = new UploadQueries(database.jdbi());
            this.catalog = new ContentCatalog(database.jdbi(), packages);
            this.deadLetters = new DeadLetters(queues, database.jdbi(), clock);

            if (parts.contains(Part.CSV_INGEST)) {
                // Older versions of slides that a DONE upload replaced, deleted in the background (off the uploads' path).
                SupersededSlides superseded = new SupersededSlides(database.jdbi(), clock);
                superseded.start();
                started.push(superseded);
            }

            long maxPackageBytes = env.longValue("SIGNAGE_MAX_PACKAGE_BYTES", 200L * 1024 * 1024, 1024, 10L * 1024 * 1024 * 1024);
            Backoff retry = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));
            if (parts.contains(Part.CONTENT_BUILDER)) {
                consume(ContentBuilder.CONSUMER, new ContentBuilder(packages, clock, maxPackageBytes), queues, database, clock,
                        retry, meters, builderRelay);
            }
            if (!parts.contains(Part.CONTENT_REGISTRY) && !parts.contains(Part.DEVICE_COMMANDS)) {
                this.deviceCommands = null;
                if (parts.contains(Part.CSV_INGEST)) {
                    consume(UploadJourney.CONSUMER, new UploadJourney(clock), queues, database, clock, retry, meters, ingestRelay);
                }
                return;
            }
            java.util.concurrent.atomic.AtomicBoolean registryClosing = new java.util.concurrent.atomic.AtomicBoolean();
            Mqtt5AsyncClient registryClient = MqttClients.builder(mqtt, mqttClientId, registryClosing::get).buildAsync();
            registryClient.connectWith().cleanStart(true).send()
                    .whenComplete((ack, error) -> {
                        if (error != null) {
                            log.warn("{} could not connect to the MQTT broker yet ({}); it keeps trying", mqttClientId, error.getMessage());
                        }
                    });
            started.push(() -> {
                registryClosing.set(true);
                if (registryClient.getState().isConnected()) {
                    registryClient.disconnect().get(5, TimeUnit.SECONDS);
                }
            });
            MqttAssignmentPublisher assignments = new MqttAssignmentPublisher(registryClient, Duration.ofSeconds(10));
            this.deviceCommands = new DeviceCommands() {
                @Override
                public void retryContent(String deviceId) throws Exception {
                    assignments.askToRetry(deviceId);
                }

                @Override
                public void tellGroup(String deviceId, String group) throws Exception {
                    assignments.tellGroup(deviceId, group);
                }
            };
            if (parts.contains(Part.CONTENT_REGISTRY)) {
                consume(ContentRegistry.CONSUMER, new ContentRegistry(assignments, publicBaseUrl, clock), queues, database, clock, retry,
                        meters, registryRelay);
            }
            if (parts.contains(Part.CSV_INGEST)) {
                consume(UploadJourney.CONSUMER, new UploadJourney(clock), queues, database, clock, retry, meters, ingestRelay);
            }
    
        } catch (RuntimeException e) {
            close(); // what started before the failure (relays, consumers, the client) stops again
            throw e;
        }
    }

    /** The MQTT client id of the whole stack's publisher: {@code content-registry-{SIGNAGE_INSTANCE}}. */
    static String stackClientId(Settings env) {
        return "content-registry-" + instance(env);
    }

    private OutboxRelay relay(Database database, String source, SqsEventPublisher publisher, OutboxRelay.Options options,
                              MeterRegistry meters, boolean start) {
        OutboxRelay relay = new OutboxRelay(database.jdbi(), source, publisher, options, meters);
        if (start) {
            relay.start();
            started.push(relay);
        }
        return relay;
    }

    /**
     * Events content-registry and csv-ingest's journey handle at once per process. Their handlers are short and
     * correct in any order (as with several instances); one at a time, a 1M-row upload's 100 content.built and
     * 100 content.registered events took 4-9 s, mostly waiting for commits, the queue and the broker. The builder
     * takes one event at a time: a build is long and uses the CPU.
     */
    static final int SHORT_HANDLER_WORKERS = 4;

    private void consume(String consumer, EventHandler handler, QueueDirectory queues, Database database, Clock clock,
                         Backoff retry, MeterRegistry meters, OutboxRelay relay) {
        int workers = consumer.equals(ContentBuilder.CONSUMER) ? 1 : SHORT_HANDLER_WORKERS;
        SqsEventConsumer c = new SqsEventConsumer(consumer, topology.queueOf(consumer), queues, database.jdbi(), handler,
                clock, retry, meters, workers);
        c.onHandled(relay::nudge);
        c.start();
        started.push(c);
    }

    private static String instance(Settings env) {
        return env.string("SIGNAGE_INSTANCE", "1").replaceAll("[^A-Za-z0-9_-]", "-");
    }

    /** Stops consumers first (each finishes the event in progress), then the relays, then the clients. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                log.warn("Stopping part of the pipeline failed: {}", e.toString());
            }
        }
        sqs.close();
    }

    /**
     * A custom SIGNAGE_SUBSCRIPTIONS with a typo would silently starve a service (events nobody
     * subscribes to go nowhere): say so at start.
     */
    private static void warnAboutMissingSubscriptions(QueueTopology topology) {
        for (QueueTopology.Subscription needed : PipelineQueues.DEFAULT_SUBSCRIPTIONS) {
            String consumer = needed.consumer();
            List<String> types = needed.eventTypes();
            for (String type : types) {
                if (!topology.queuesFor(type).contains(topology.queueOf(consumer))) {
                    log.warn("SIGNAGE_SUBSCRIPTIONS does not send {} to {}'s queue {}: that service will never see these "
                            + "events and uploads will stop on their way. Add {}={} (or unset SIGNAGE_SUBSCRIPTIONS)",
                            type, consumer, topology.queueOf(consumer), consumer, String.join(",", types));
                }
            }
        }
    }
}
