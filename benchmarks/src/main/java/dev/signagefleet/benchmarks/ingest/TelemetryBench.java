package dev.signagefleet.benchmarks.ingest;

import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.db.Database;
import dev.signagefleet.common.db.DatabaseConfig;
import dev.signagefleet.common.mqtt.MqttSettings;
import dev.signagefleet.embedded.broker.BrokerConfig;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.embedded.broker.EmbeddedBroker;
import dev.signagefleet.embedded.database.EmbeddedDatabase;
import dev.signagefleet.telemetry.TelemetryConfig;
import dev.signagefleet.telemetry.TelemetryConsumer;
import dev.signagefleet.testing.FreePorts;
import dev.signagefleet.testing.TempDirs;
import dev.signagefleet.testing.TestBrokerAccounts;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * The telemetry path as the product runs it, for the benchmarks: the embedded HiveMQ CE broker with
 * the product's configuration (file persistence, queue bound, access extension), PostgreSQL with
 * fsync and synchronous_commit on (as {@code signage up}) plus {@code track_commit_timestamp}, so each
 * history row's commit time can be read back, and the telemetry consumer, which can be stopped and
 * started between runs (its broker session is cleared while it is stopped, so a baseline run's
 * messages do not wait for it).
 */
public final class TelemetryBench implements AutoCloseable {

    /** The password every benchmark device and the consumer's service account use. */
    public static final String PASSWORD = "bench-pw";
    private static final String INSTANCE = "bench";

    private final Path directory;
    private final TestBrokerAccounts accounts = new TestBrokerAccounts();
    private final BrokerConfig brokerConfig;
    private final EmbeddedDatabase postgres;
    private final Database database;
    private EmbeddedBroker broker;
    private TelemetryConsumer consumer;
    private SimpleMeterRegistry consumerMeters;
    private final Duration heartbeat;

    private TelemetryBench(Path directory, BrokerConfig brokerConfig, EmbeddedDatabase postgres, Database database,
                           Duration heartbeat) {
        this.directory = directory;
        this.brokerConfig = brokerConfig;
        this.postgres = postgres;
        this.database = database;
        this.heartbeat = heartbeat;
    }

    /** Starts PostgreSQL (migrated) and the broker; the consumer starts with {@link #startConsumer()}. */
    public static TelemetryBench start(String name, Duration heartbeat) {
        Path dir;
        try {
            dir = Files.createTempDirectory("signage-bench-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for the benchmark", e);
        }
        EmbeddedDatabase postgres = startPostgresWithCommitTimestamps(dir.resolve("postgres"));
        Database database = Database.connect(new DatabaseConfig(postgres.jdbcUrl(), postgres.user(), new Secret(""), 16));
        database.migrate();
        // -Dbench.broker.outgoingWindow=50 measures HiveMQ CE's own default, for comparison
        BrokerConfig config = BrokerConfig.defaults(FreePorts.next(), dir.resolve("broker")).withBindAddress("127.0.0.1")
                .withOutgoingWindow(Integer.getInteger("bench.broker.outgoingWindow", BrokerConfig.DEFAULT_OUTGOING_WINDOW));
        TelemetryBench bench = new TelemetryBench(dir, config, postgres, database, heartbeat);
        bench.accounts.addService(new BrokerPrincipal.Service(TelemetryConfig.SERVICE_ACCOUNT, TelemetryConsumer.BROKER_PUBLISH,
                List.of(), TelemetryConsumer.BROKER_SHARED_SUBSCRIPTIONS, TelemetryConfig.SHARED_GROUP), PASSWORD);
        bench.startBroker();
        return bench;
    }

    /**
     * Durable like the product's embedded database; {@code track_commit_timestamp} needs a restart,
     * so the cluster is started, configured and started again.
     */
    private static EmbeddedDatabase startPostgresWithCommitTimestamps(Path dir) {
        EmbeddedDatabase first = EmbeddedDatabase.start(dir, 0, true);
        try {
            Jdbi.create(first.jdbcUrl("postgres"), first.user(), "")
                    .useHandle(h -> h.execute("ALTER SYSTEM SET track_commit_timestamp = on"));
        } finally {
            first.close();
        }
        EmbeddedDatabase postgres = EmbeddedDatabase.start(dir, 0, true);
        if (!"on".equals(postgres.setting("track_commit_timestamp")) || !"on".equals(postgres.setting("fsync"))) {
            throw new IllegalStateException("the benchmark database must run with fsync and track_commit_timestamp on");
        }
        return postgres;
    }

    public synchronized void startBroker() {
        if (broker == null) {
            broker = EmbeddedBroker.start(brokerConfig, accounts);
        }
    }

    public synchronized void stopBroker() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    public EmbeddedBroker broker() {
        return broker;
    }

    public TestBrokerAccounts accounts() {
        return accounts;
    }

    public int brokerPort() {
        return brokerConfig.port();
    }

    public BrokerConfig brokerConfig() {
        return brokerConfig;
    }

    public Jdbi jdbi() {
        return database.jdbi();
    }

    /** Starts the telemetry consumer, as the stack wires it, and waits until it listens. */
    public synchronized TelemetryConsumer startConsumer() {
        if (consumer == null) {
            consumerMeters = new SimpleMeterRegistry();
            TelemetryConfig config = TelemetryConfig.from(Settings.of(Map.of()))
                    .withMqtt(new MqttSettings("tcp://127.0.0.1:" + brokerPort(), TelemetryConfig.SERVICE_ACCOUNT,
                            new Secret(PASSWORD)))
                    .withInstanceId(INSTANCE)
                    .withHeartbeat(heartbeat);
            consumer = TelemetryConsumer.start(config, database, Clock.systemUTC(), consumerMeters);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!consumer.isListening()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the telemetry consumer did not subscribe within 30 s");
                }
                sleep(20);
            }
        }
        return consumer;
    }

    /**
     * Stops the consumer and ends its broker session, so nothing is queued for it until it starts
     * again (a fresh session, subscribed anew).
     */
    public synchronized void stopConsumerAndForgetItsSession() {
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
        var client = Mqtt5Client.builder().identifier("telemetry-consumer-" + INSTANCE)
                .serverHost("127.0.0.1").serverPort(brokerPort())
                .simpleAuth().username(TelemetryConfig.SERVICE_ACCOUNT).password(PASSWORD.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().buildBlocking();
        client.connectWith().cleanStart(true).sessionExpiryInterval(0).send();
        client.disconnect();
    }

    /** Statuses the running consumer stored since it started (redeliveries included). */
    public long consumerStatuses() {
        return consumerMeters == null ? 0
                : (long) consumerMeters.get("signage_telemetry_messages").tag("kind", "status").counter().count();
    }

    /** The running consumer's transactions so far: how many, and their mean time in ms. */
    public Map<String, Object> consumerCommits() {
        if (consumerMeters == null) {
            return Map.of();
        }
        var timer = consumerMeters.get("signage_telemetry_batch_commit").timer();
        return Map.of("transactions", timer.count(), "meanMs", Math.round(timer.mean(TimeUnit.MILLISECONDS) * 10) / 10.0,
                "maxMs", Math.round(timer.max(TimeUnit.MILLISECONDS) * 10) / 10.0);
    }

    /** Statuses the running consumer found already stored (redeliveries); 0 when none ran. */
    public double consumerDuplicates() {
        return consumerMeters == null ? 0 : consumerMeters.get("signage_telemetry_duplicates").counter().count();
    }

    /** CPU time of PostgreSQL (postmaster and backends) so far, in nanoseconds. */
    public long postgresCpuNanos() {
        long backend = database.jdbi().withHandle(h -> h.createQuery("SELECT pg_backend_pid()").mapTo(Long.class).one());
        return ProcessHandle.of(backend).flatMap(ProcessHandle::parent)
                .map(postmaster -> Readings.treeCpuNanos(postmaster.pid())).orElse(0L);
    }

    public String postgresSettings() {
        return "fsync=" + postgres.setting("fsync") + ", synchronous_commit=" + postgres.setting("synchronous_commit")
                + ", full_page_writes=" + postgres.setting("full_page_writes") + ", track_commit_timestamp="
                + postgres.setting("track_commit_timestamp") + ", shared_buffers=" + postgres.setting("shared_buffers");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public synchronized void close() {
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
        stopBroker();
        database.close();
        postgres.close();
        TempDirs.deleteQuietly(directory);
    }
}
