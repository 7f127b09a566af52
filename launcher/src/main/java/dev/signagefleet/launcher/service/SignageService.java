package dev.signagefleet.launcher.service;

import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.db.Database;
import dev.signagefleet.common.db.DatabaseConfig;
import dev.signagefleet.common.mqtt.MqttSettings;
import dev.signagefleet.common.sqs.SqsClients;
import dev.signagefleet.common.sqs.SqsSettings;
import dev.signagefleet.common.Causes;
import software.amazon.awssdk.services.sqs.SqsClient;
import dev.signagefleet.launcher.stack.ManagementApp;
import dev.signagefleet.launcher.stack.Pipeline;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.ops.OpsRoutes;
import dev.signagefleet.telemetry.TelemetryConfig;
import dev.signagefleet.telemetry.TelemetryConsumer;
import dev.signagefleet.telemetry.connectivity.DeviceEventLog;
import dev.signagefleet.telemetry.ingest.BatchApplier;
import dev.signagefleet.telemetry.ingest.QuarantineReplay;
import dev.signagefleet.telemetry.ingest.TelemetryDecoder;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.telemetry.state.StateRules;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service of signage-fleet as its own process ({@code signage service NAME}), configured only by
 * environment variables, against an external PostgreSQL, MQTT broker and SQS. Any number of
 * instances of each may run side by side: the telemetry consumers share the broker's shared
 * subscription, the queue consumers compete on SQS, the outbox relays and sweeps lock their rows
 * ({@code SKIP LOCKED}), and every consumer deduplicates by event id.
 */
public final class SignageService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SignageService.class);

    /** The services, by the name {@code signage service} takes. */
    public enum Name {
        TELEMETRY_CONSUMER("telemetry-consumer"),
        CSV_INGEST("csv-ingest"),
        CONTENT_BUILDER("content-builder"),
        CONTENT_REGISTRY("content-registry"),
        MANAGEMENT("management");

        private final String id;

        Name(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Name of(String text) {
            for (Name n : values()) {
                if (n.id.equals(text.toLowerCase(Locale.ROOT))) {
                    return n;
                }
            }
            throw new ServiceStartException("no service named '" + text + "'; choose one of "
                    + String.join(", ", java.util.Arrays.stream(values()).map(Name::id).toList()));
        }
    }

    private final Name name;
    private final Deque<Step> started = new ArrayDeque<>();
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** True once everything runs, false again when stopping: {@code /readyz} follows it. */
    private final java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
    private Integer httpPort;

    private record Step(String name, AutoCloseable closeable) {
    }

    private SignageService(Name name) {
        this.name = name;
    }

    /** Starts the service; on failure, what was started is stopped again and the error is thrown. */
    public static SignageService start(Name name, Settings env, Clock clock) {
        SignageService service = new SignageService(name);
        try {
            service.startAll(env, clock);
            return service;
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    /** The port of {@code /healthz}, {@code /readyz} and {@code /metrics} (the API's port for management). */
    public int httpPort() {
        return httpPort;
    }

    private void startAll(Settings env, Clock clock) {
        String instance = instance(env);
        meters.config().commonTags("service", name.id(), "instance", instance);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        log.info("Starting {} (instance {})", name.id(), instance);
        if (env.optional("SIGNAGE_INSTANCE").filter(v -> !v.isBlank()).isEmpty()) {
            log.warn("SIGNAGE_INSTANCE is not set: this instance is named after the host ({}). Two instances of {} on one host "
                    + "would take over each other's MQTT connection; give each its own SIGNAGE_INSTANCE", instance, name.id());
        }
        String bind = env.string("SIGNAGE_BIND_ADDRESS", "0.0.0.0");
        List<OpsRoutes.ReadinessCheck> checks = new java.util.concurrent.CopyOnWriteArrayList<>();
        checks.add(new OpsRoutes.ReadinessCheck("started", ready::get));
        if (name != Name.MANAGEMENT) {
            // First: a port taken is found before any work is taken from a queue; not ready until everything runs.
            OpsServer ops = OpsServer.start(bind, env.integer("SIGNAGE_OPS_PORT", 8081, 0, 65_535), checks, meters);
            started.push(new Step("health and metrics endpoint", ops));
            httpPort = ops.port();
        }

        Database database = Database.connect(new DatabaseConfig(env.required("SIGNAGE_POSTGRES_URL"),
                env.string("SIGNAGE_POSTGRES_USER", "signage"), new Secret(env.string("SIGNAGE_POSTGRES_PASSWORD", "")),
                env.integer("SIGNAGE_DB_POOL_SIZE", 8, 2, 200)));
        started.push(new Step("database pool", database));
        if (env.bool("SIGNAGE_MIGRATE", true)) {
            database.migrate(); // Flyway takes a database lock: instances starting together migrate once
        }
        checks.add(new OpsRoutes.ReadinessCheck("database", database::isReachable));

        switch (name) {
            case TELEMETRY_CONSUMER -> {
                TelemetryConfig base = TelemetryConfig.from(env).withInstanceId(instance);
                TelemetryConfig config = base.withMqtt(base.mqtt().withCertificateFrom(env));
                TelemetryConsumer telemetry = TelemetryConsumer.start(config, database, clock, meters, telemetrySource(env));
                started.push(new Step("telemetry consumer", telemetry));
                checks.add(new OpsRoutes.ReadinessCheck("telemetry-mqtt", telemetry::isListening));
            }
            case CSV_INGEST -> pipeline(env, database, clock, EnumSet.of(Pipeline.Part.CSV_INGEST), instance);
            case CONTENT_BUILDER -> pipeline(env, database, clock, EnumSet.of(Pipeline.Part.CONTENT_BUILDER), instance);
            case CONTENT_REGISTRY -> pipeline(env, database, clock, EnumSet.of(Pipeline.Part.CONTENT_REGISTRY), instance);
            case MANAGEMENT -> management(env, database, clock, instance, bind, checks);
            default -> throw new IllegalStateException(name.toString());
        }
        ready.set(true);
        log.info("{} (instance {}) started; /healthz, /readyz and /metrics on port {}", name.id(), instance, httpPort);
    }

    /** SIGNAGE_TELEMETRY_SOURCE: {@code mqtt} (the shared subscription, default) or {@code sqs} (the topic rule's queue). */
    private Optional<TelemetryConsumer.SqsSource> telemetrySource(Settings env) {
        String source = env.string("SIGNAGE_TELEMETRY_SOURCE", "mqtt").toLowerCase(Locale.ROOT);
        if (source.equals("mqtt")) {
            return Optional.empty();
        }
        if (!source.equals("sqs")) {
            throw new ServiceStartException("SIGNAGE_TELEMETRY_SOURCE must be mqtt or sqs, was '" + source + "'");
        }
        String queue = env.required("SIGNAGE_TELEMETRY_SQS_QUEUE");
        SqsClient client = SqsClients.create(sqs(env));
        started.push(new Step("telemetry SQS client", client));
        String url;
        try {
            url = queue.startsWith("https://") || queue.startsWith("http://") ? queue
                    : client.getQueueUrl(b -> b.queueName(queue)).queueUrl();
        } catch (RuntimeException e) {
            throw new ServiceStartException("cannot find the telemetry queue '" + queue + "' (" + Causes.rootMessage(e)
                    + "); check SIGNAGE_TELEMETRY_SQS_QUEUE, SIGNAGE_SQS_REGION and the credentials, or create it with signage aws setup", e);
        }
        return Optional.of(new TelemetryConsumer.SqsSource(client, url,
                env.seconds("SIGNAGE_TELEMETRY_SQS_VISIBILITY_SEC", Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofHours(1))));
    }

    private Pipeline pipeline(Settings env, Database database, Clock clock, Set<Pipeline.Part> parts, String instance) {
        Path contentDir = Path.of(env.string("SIGNAGE_CONTENT_DIR", "content-packages"));
        String publicUrl = parts.contains(Pipeline.Part.CONTENT_REGISTRY) ? env.required("SIGNAGE_PUBLIC_HTTP_URL")
                : env.string("SIGNAGE_PUBLIC_HTTP_URL", "http://localhost:8080");
        MqttSettings mqtt = new MqttSettings(env.string("SIGNAGE_MQTT_URL", "tcp://localhost:1883"),
                env.string("SIGNAGE_CONTENT_MQTT_USERNAME", "svc-content-registry"),
                new Secret(env.string("SIGNAGE_CONTENT_MQTT_PASSWORD", ""))).withCertificateFrom(env);
        Pipeline pipeline = new Pipeline(env, database, sqs(env), false, mqtt, contentDir, () -> publicUrl, clock, meters, parts,
                mqttClientIdPrefix(name) + instance);
        started.push(new Step(name.id(), pipeline));
        return pipeline;
    }

    private static SqsSettings sqs(Settings env) {
        Optional<String> endpoint = env.optional("SIGNAGE_SQS_URL").filter(u -> !u.isBlank());
        return new SqsSettings(endpoint, env.string("SIGNAGE_SQS_REGION", env.string("AWS_REGION", "us-east-1")),
                env.optional("SIGNAGE_SQS_ACCESS_KEY"), env.optional("SIGNAGE_SQS_SECRET_KEY").map(Secret::new));
    }

    private void management(Settings env, Database database, Clock clock, String instance, String bind,
                            List<OpsRoutes.ReadinessCheck> checks) {
        DeviceRegistry registry = new DeviceRegistry(database.jdbi(), clock);
        ConsoleUsers users = new ConsoleUsers(database.jdbi(), clock);
        Optional<String> adminPassword = env.optional("SIGNAGE_ADMIN_PASSWORD").filter(p -> !p.isBlank());
        if (adminExists(database)) {
            if (adminPassword.isPresent()) {
                log.info("The console admin exists: SIGNAGE_ADMIN_PASSWORD is used only on the first start and was not applied "
                        + "(change the password in the console; you may unset the variable)");
            }
        } else if (adminPassword.isPresent()) {
            users.ensureAdmin(adminPassword);
        } else {
            throw new ServiceStartException("there is no console admin yet: set SIGNAGE_ADMIN_PASSWORD for the first start "
                    + "(a service never prints a generated password to its log)");
        }
        Pipeline pipeline = pipeline(env, database, clock, EnumSet.of(Pipeline.Part.DEVICE_COMMANDS), instance);
        TelemetryConfig telemetry = TelemetryConfig.from(env);
        BatchApplier applier = new BatchApplier(database.jdbi(), new StateRules(telemetry.heartbeat()));
        QuarantineReplay replay = new QuarantineReplay(database.jdbi(), new TelemetryDecoder(telemetry.maxPayloadBytes(), clock),
                applier, clock, () -> { }); // the telemetry consumers' relays poll the outbox
        String publicMqttUrl = env.string("SIGNAGE_PUBLIC_MQTT_URL", env.string("SIGNAGE_MQTT_URL", "tcp://localhost:1883"));
        ManagementApp app = ManagementApp.start(new ManagementApp.Inputs(env, bind, env.integer("SIGNAGE_HTTP_PORT", 8080, 0, 65_535),
                database, registry, users, pipeline, replay, checks, () -> brokerFigures(database),
                registration -> connectionInfo(registration, publicMqttUrl), meters, clock));
        started.push(new Step("HTTP API, console and alerts", app));
        httpPort = app.http().port();
    }

    private static boolean adminExists(Database database) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM console_users WHERE username = 'admin'")
                .mapTo(Long.class).one()) > 0;
    }

    private static Map<String, Object> brokerFigures(Database database) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("brokerDroppedMessages", null);
        figures.put("brokerNote", "external broker: read its own dropped-message metric");
        figures.put("outboxPending", database.jdbi().withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM outbox WHERE source = :source AND published_at IS NULL AND parked_at IS NULL")
                .bind("source", DeviceEventLog.SOURCE).mapTo(Long.class).one()));
        return figures;
    }

    private static Map<String, Object> connectionInfo(DeviceRegistry.Registration registration, String mqttUrl) {
        String id = registration.device().deviceId();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("mqtt", Map.of("url", mqttUrl, "clientId", id, "username", id, "statusTopic", "dt/signage/" + id + "/status"));
        info.put("agentConfig", AgentConfig.propertiesFileText(id, registration.device().group(), mqttUrl, registration.credential()));
        return info;
    }

    /**
     * What the MQTT client ids of a service's instances start with; the instance name follows. The
     * AWS IoT services policy allows exactly these ({@link ServiceBrokerAccess}).
     */
    /** Reserved for services in {@link dev.signagefleet.common.mqtt.ServiceClientIds} (no device may use it). */
    public static String mqttClientIdPrefix(Name name) {
        return name == Name.TELEMETRY_CONSUMER ? TelemetryConfig.CLIENT_ID_PREFIX : name.id() + "-";
    }

    /** SIGNAGE_INSTANCE, else the host name: unique per process, it names the MQTT clients. */
    static String instance(Settings env) {
        return env.optional("SIGNAGE_INSTANCE").filter(v -> !v.isBlank()).map(v -> v.replaceAll("[^A-Za-z0-9_-]", "-"))
                .orElseGet(TelemetryConfig::defaultInstance);
    }

    /** Stops in reverse order of starting: the endpoints first, then the work (finishing what is in progress), then the pool. */
    @Override
    public synchronized void close() {
        ready.set(false);
        while (!started.isEmpty()) {
            Step step = started.pop();
            try {
                step.closeable().close();
            } catch (Exception e) {
                log.warn("Stopping the {} failed: {}", step.name(), e.toString());
            }
        }
        log.info("{} stopped", name.id());
    }
}
