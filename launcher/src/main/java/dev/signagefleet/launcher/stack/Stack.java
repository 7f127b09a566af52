package dev.signagefleet.launcher.stack;

import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.db.Database;
import dev.signagefleet.common.db.DatabaseConfig;
import dev.signagefleet.common.mqtt.MqttSettings;
import dev.signagefleet.common.security.PasswordHasher;
import dev.signagefleet.common.sqs.SqsSettings;
import dev.signagefleet.embedded.broker.BrokerConfig;
import dev.signagefleet.embedded.broker.EmbeddedBroker;
import dev.signagefleet.embedded.database.EmbeddedDatabase;
import dev.signagefleet.embedded.queue.EmbeddedQueueServer;
import dev.signagefleet.common.files.OwnerOnlyFile;
import dev.signagefleet.launcher.service.ServiceBrokerAccess;
import dev.signagefleet.launcher.simulator.FleetSimulator;
import dev.signagefleet.embedded.broker.LocalPki;
import dev.signagefleet.management.ManagementServer;
import dev.signagefleet.management.alerts.AlertsConfig;
import dev.signagefleet.management.alerts.AlertsService;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleSessions;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.LoginThrottle;
import dev.signagefleet.management.console.AdminPages;
import dev.signagefleet.management.console.AlertPages;
import dev.signagefleet.management.console.Console;
import dev.signagefleet.management.console.ContentPages;
import dev.signagefleet.management.console.DashboardPages;
import dev.signagefleet.management.console.DeviceBulkPages;
import dev.signagefleet.management.console.DeviceImportPages;
import dev.signagefleet.management.console.DevicePages;
import dev.signagefleet.management.console.FlowPages;
import dev.signagefleet.management.console.SignInPages;
import dev.signagefleet.management.console.StagedUploads;
import dev.signagefleet.management.console.UploadPages;
import dev.signagefleet.management.contents.ContentRoutes;
import dev.signagefleet.management.deadletters.DeadLetterRoutes;
import dev.signagefleet.management.quarantine.QuarantineRoutes;
import dev.signagefleet.management.devices.DeviceGroupRoutes;
import dev.signagefleet.management.devices.DeviceRoutes;
import dev.signagefleet.management.fleet.FleetRoutes;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.ops.OpsRoutes;
import dev.signagefleet.management.uploads.UploadRoutes;
import dev.signagefleet.telemetry.TelemetryConfig;
import dev.signagefleet.telemetry.TelemetryConsumer;
import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system in one JVM: PostgreSQL, the MQTT broker and the SQS server (embedded unless an
 * external URL is given), the migrations, the telemetry consumer, the HTTP API and optionally
 * simulated terminals. {@link #close()} stops them in the reverse order of starting, so every
 * acknowledged message is stored before the broker and the database go away.
 */
public final class Stack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Stack.class);
    public static final String ADMIN_PASSWORD_FILE = "admin-password.txt";

    private final StackOptions options;
    private final Settings env;
    private final Deque<Step> started = new ArrayDeque<>();
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Database database;
    private EmbeddedBroker broker;
    private EmbeddedDatabase embeddedDatabase;
    private EmbeddedQueueServer queueServer;
    private TelemetryConsumer telemetry;
    private ManagementServer http;
    private ManagementApp management;
    private FleetSimulator simulator;
    private DeviceRegistry registry;
    private Optional<String> generatedAdminPassword = Optional.empty();
    private Pipeline pipeline;
    private String registryMqttPassword;
    private String postgresDescription;
    private String mqttUrl;
    private Optional<String> mqttTlsUrl = Optional.empty();
    private LocalPki pki;
    private String sqsEndpoint;

    private record Step(String name, AutoCloseable closeable) {
    }

    private Stack(StackOptions options, Settings env) {
        this.options = options;
        this.env = env;
    }

    /**
     * Starts everything; on failure, what was started is stopped again and the error is thrown.
     *
     * @param env the environment-style settings not covered by the options (service credentials of
     *            an external broker, database credentials, tuning); normally {@link Settings#fromEnvironment()}
     */
    public static Stack start(StackOptions options, Settings env, Clock clock) {
        Stack stack = new Stack(options, env);
        try {
            stack.startAll(clock);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Clock clock) {
        Path dataDir = options.dataDir().toAbsolutePath().normalize();
        createDirectory(dataDir);
        started.push(new Step("data folder lock", Preflight.lockDataDir(dataDir)));
        Preflight.portFree(options.bindAddress(), options.httpPort(), "HTTP API", "--http-port");
        if (options.mqttUrl().isEmpty()) {
            Preflight.portFree(options.bindAddress(), options.mqttPort(), "MQTT broker", "--mqtt-port");
        }
        if (options.sqsUrl().isEmpty()) {
            Preflight.portFree("127.0.0.1", options.sqsPort(), "SQS server", "--sqs-port");
        }
        new JvmMemoryMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);

        database = Database.connect(databaseConfig(dataDir));
        started.push(new Step("database pool", database));
        database.migrate();
        registry = new DeviceRegistry(database.jdbi(), clock);
        ConsoleUsers users = new ConsoleUsers(database.jdbi(), clock);
        ConsoleUsers.AdminAccount admin = users.ensureAdmin(options.adminPassword());
        generatedAdminPassword = admin.generatedPassword();
        generatedAdminPassword.ifPresent(password -> writeAdminPassword(dataDir, password));

        TelemetryConfig telemetryConfig = TelemetryConfig.from(env).withHeartbeat(options.heartbeat());
        if (options.mqttUrl().isPresent()) {
            mqttUrl = options.mqttUrl().get();
            telemetryConfig = telemetryConfig.withMqtt(new MqttSettings(mqttUrl, telemetryConfig.mqtt().username(),
                    telemetryConfig.mqtt().password()).withCertificateFrom(env));
        } else {
            String servicePassword = PasswordHasher.newSecret();
            StackBrokerAccounts accounts = new StackBrokerAccounts(registry);
            accounts.addService(ServiceBrokerAccess.TELEMETRY, servicePassword);
            registryMqttPassword = PasswordHasher.newSecret();
            accounts.addService(ServiceBrokerAccess.CONTENT, registryMqttPassword);
            BrokerConfig brokerConfig = BrokerConfig.defaults(options.mqttPort(), dataDir.resolve("broker"))
                    .withBindAddress(options.bindAddress())
                    .withMaxQueueSize(options.brokerQueueSize());
            Optional<String> tlsPort = env.optional("SIGNAGE_MQTT_TLS_PORT").filter(p -> !p.isBlank());
            if (tlsPort.isPresent()) {
                brokerConfig = brokerConfig.withTls(tlsListener(tlsPort.get(), dataDir));
            }
            broker = EmbeddedBroker.start(brokerConfig, accounts);
            started.push(new Step("MQTT broker", broker));
            registry.onAccessChanged(broker::disconnect);
            mqttUrl = "tcp://" + options.localHost() + ":" + options.mqttPort();
            telemetryConfig = telemetryConfig.withMqtt(new MqttSettings(mqttUrl, TelemetryConfig.SERVICE_ACCOUNT,
                    new Secret(servicePassword)));
            FunctionCounter.builder("signage_broker_messages_dropped", broker, EmbeddedBroker::droppedMessages)
                    .description("Messages the embedded broker dropped (full client or shared-subscription queue)")
                    .register(meters);
            FunctionCounter.builder("signage_broker_connections_refused", broker, EmbeddedBroker::refusedConnects)
                    .description("MQTT connections refused by the access extension").register(meters);
            FunctionCounter.builder("signage_broker_publishes_refused", broker, EmbeddedBroker::refusedPublishes)
                    .description("Publishes refused by the topic policy").register(meters);
            FunctionCounter.builder("signage_broker_subscriptions_refused", broker, EmbeddedBroker::refusedSubscribes)
                    .description("Subscriptions refused by the topic policy").register(meters);
        }

        if (options.sqsUrl().isPresent()) {
            sqsEndpoint = options.sqsUrl().get();
        } else {
            queueServer = EmbeddedQueueServer.start("127.0.0.1", options.sqsPort());
            started.push(new Step("queue server", queueServer));
            sqsEndpoint = queueServer.endpoint();
        }

        telemetry = TelemetryConsumer.start(telemetryConfig, database, clock, meters);
        started.push(new Step("telemetry consumer", telemetry));

        SqsSettings sqsSettings = options.sqsUrl().isPresent()
                ? new SqsSettings(options.sqsUrl(), env.string("SIGNAGE_SQS_REGION", "us-east-1"),
                        env.optional("SIGNAGE_SQS_ACCESS_KEY"), env.optional("SIGNAGE_SQS_SECRET_KEY").map(Secret::new))
                : SqsSettings.local(sqsEndpoint);
        MqttSettings registryMqtt = broker != null
                ? new MqttSettings(mqttUrl, Pipeline.REGISTRY_ACCOUNT, new Secret(registryMqttPassword))
                : new MqttSettings(mqttUrl, env.string("SIGNAGE_CONTENT_MQTT_USERNAME", Pipeline.REGISTRY_ACCOUNT),
                        new Secret(env.string("SIGNAGE_CONTENT_MQTT_PASSWORD", ""))).withCertificateFrom(env);
        Path contentDir = env.optional("SIGNAGE_CONTENT_DIR").map(Path::of).orElse(dataDir.resolve("content-packages"));
        pipeline = new Pipeline(env, database, sqsSettings, options.sqsUrl().isEmpty(), registryMqtt, contentDir,
                this::publicHttpUrl, clock, meters, java.util.EnumSet.allOf(Pipeline.Part.class), Pipeline.stackClientId(env));
        started.push(new Step("content pipeline", pipeline));

        List<OpsRoutes.ReadinessCheck> checks = new ArrayList<>();
        checks.add(new OpsRoutes.ReadinessCheck("database", database::isReachable));
        checks.add(new OpsRoutes.ReadinessCheck("telemetry-mqtt", telemetry::isListening));
        management = ManagementApp.start(new ManagementApp.Inputs(env, options.bindAddress(), options.httpPort(), database,
                registry, users, pipeline, telemetry.quarantineReplay(), checks, brokerFigures(), this::connectionInfo, meters,
                clock));
        http = management.http();
        started.push(new Step("HTTP API, console and alerts", management));

        if (options.devices() > 0) {
            simulator = FleetSimulator.start(options.devices(), dataDir.resolve("simulator"), registry, mqttUrl,
                    options.heartbeat(), clock);
            started.push(new Step("simulated terminals", simulator));
        }
    }

    private DatabaseConfig databaseConfig(Path dataDir) {
        int pool = env.integer("SIGNAGE_DB_POOL_SIZE", 16, 2, 200);
        if (options.postgresUrl().isPresent()) {
            postgresDescription = Redact.url(options.postgresUrl().get());
            return new DatabaseConfig(options.postgresUrl().get(), env.string("SIGNAGE_POSTGRES_USER", "signage"),
                    new Secret(env.string("SIGNAGE_POSTGRES_PASSWORD", "")), pool);
        }
        embeddedDatabase = EmbeddedDatabase.start(dataDir.resolve("postgres"), 0, options.durable());
        started.push(new Step("PostgreSQL", embeddedDatabase));
        postgresDescription = "embedded, " + embeddedDatabase.jdbcUrl() + " (data in " + dataDir.resolve("postgres") + ")";
        return new DatabaseConfig(embeddedDatabase.jdbcUrl(), embeddedDatabase.user(), new Secret(""), pool);
    }

    private Map<String, Object> connectionInfo(DeviceRegistry.Registration registration) {
        String url = options.effectivePublicMqttUrl();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("mqtt", Map.of("url", url, "clientId", registration.device().deviceId(),
                "username", registration.device().deviceId(),
                "statusTopic", "dt/signage/" + registration.device().deviceId() + "/status"));
        info.put("agentConfig", AgentConfig.propertiesFileText(registration.device().deviceId(),
                registration.device().group(), url, registration.credential()));
        return info;
    }

    private Supplier<Map<String, Object>> brokerFigures() {
        return () -> {
            Map<String, Object> figures = new LinkedHashMap<>();
            if (broker != null) {
                figures.put("brokerDroppedMessages", broker.droppedMessages());
                figures.put("brokerRefusedConnections", broker.refusedConnects());
                figures.put("brokerRefusedPublishes", broker.refusedPublishes());
            } else {
                figures.put("brokerDroppedMessages", null);
                figures.put("brokerNote", "external broker: read its own dropped-message metric");
            }
            figures.put("outboxPending", telemetry.relay().pending());
            return figures;
        };
    }

    private static void writeAdminPassword(Path dataDir, String password) {
        Path file = dataDir.resolve(ADMIN_PASSWORD_FILE);
        try {
            OwnerOnlyFile.write(file, password + "\n");
        } catch (IOException e) {
            log.warn("Could not write {}: {} (the password is printed below)", file, e.toString());
        }
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StackStartException("cannot create the data folder " + dir + " (" + e + "); choose another with --data-dir", e);
        }
    }

    public StackOptions options() {
        return options;
    }

    /** Where terminals reach the HTTP server (content downloads): SIGNAGE_PUBLIC_HTTP_URL, else this host. */
    public String publicHttpUrl() {
        return env.optional("SIGNAGE_PUBLIC_HTTP_URL")
                .orElse("http://" + options.localHost() + ":" + (http == null ? options.httpPort() : http.port()));
    }

    /**
     * The mutual-TLS listener: the local CA in {@code {data-dir}/pki} (made on the first start) signs
     * a fresh server certificate for this start; device certificates come from {@code signage device cert}.
     */
    private BrokerConfig.TlsListener tlsListener(String portText, Path dataDir) {
        int port;
        try {
            port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            throw new StackStartException("SIGNAGE_MQTT_TLS_PORT must be a port number, was '" + portText + "'");
        }
        if (port < 1 || port > 65535 || port == options.mqttPort()) {
            throw new StackStartException("SIGNAGE_MQTT_TLS_PORT must be a port 1..65535 other than the MQTT port, was " + port);
        }
        pki = LocalPki.openOrCreate(dataDir.resolve("pki"));
        String storePassword = PasswordHasher.newSecret();
        Path stores = dataDir.resolve("broker-tls");
        Path keyStore = stores.resolve("broker.p12");
        Path trustStore = stores.resolve("trust.p12");
        List<String> names = new ArrayList<>();
        if (!options.localHost().equals("127.0.0.1")) {
            names.add(options.localHost().replace("[", "").replace("]", ""));
        }
        pki.writeServerStores(keyStore, trustStore, storePassword.toCharArray(), names);
        mqttTlsUrl = Optional.of("ssl://" + options.localHost() + ":" + port);
        return new BrokerConfig.TlsListener(port, keyStore, trustStore, storePassword);
    }

    /** The mutual-TLS broker URL, when {@code SIGNAGE_MQTT_TLS_PORT} enabled it. */
    public Optional<String> mqttTlsUrl() {
        return mqttTlsUrl;
    }

    /** The local CA of the mutual-TLS listener, when it is enabled. */
    public Optional<LocalPki> pki() {
        return Optional.ofNullable(pki);
    }

    /** The HTTP API's and console's routes (see {@link ManagementServer#routes()}). */
    public List<ManagementServer.Route> httpRoutes() {
        return http.routes();
    }

    public int httpPort() {
        return http.port();
    }

    public String mqttUrl() {
        return mqttUrl;
    }

    public String sqsEndpoint() {
        return sqsEndpoint;
    }

    public String postgresDescription() {
        return postgresDescription;
    }

    public Optional<String> generatedAdminPassword() {
        return generatedAdminPassword;
    }

    public Optional<EmbeddedBroker> broker() {
        return Optional.ofNullable(broker);
    }

    public Optional<FleetSimulator> simulator() {
        return Optional.ofNullable(simulator);
    }

    public Database database() {
        return database;
    }

    public TelemetryConsumer telemetry() {
        return telemetry;
    }

    public DeviceRegistry registry() {
        return registry;
    }

    /**
     * Stops in reverse order: terminals first (their offline presence is still stored), then the
     * HTTP API, the consumer (which finishes and acknowledges its batch), the broker, the queue
     * server, the pool and the database.
     */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            Step step = started.pop();
            try {
                if (step.closeable() == simulator) {
                    simulator.close();
                    awaitTelemetryDrained();
                } else {
                    step.closeable().close();
                }
            } catch (Exception e) {
                log.warn("Stopping the {} failed: {}", step.name(), e.toString());
            }
        }
    }

    /** Gives the consumer a moment to store the terminals' last messages before it stops. */
    private void awaitTelemetryDrained() {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        try {
            Thread.sleep(300);
            while (telemetry.ingest().queued() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
