package dev.signagefleet.launcher;

import dev.signagefleet.common.Causes;
import dev.signagefleet.common.config.ConfigException;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.embedded.broker.BrokerConfig;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import dev.signagefleet.launcher.stack.StackStartException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code signage up}: the whole system in one JVM, until Ctrl-C or SIGTERM. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start the whole system in one JVM: MQTT broker, SQS server and PostgreSQL (embedded unless a URL "
                + "is given), the services, the HTTP API and optionally simulated terminals. Stop with Ctrl-C or kill PID (SIGTERM).")
final class UpCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(UpCommand.class);

    @Option(names = "--devices", defaultValue = "${env:SIGNAGE_DEVICES:-0}",
            description = "Simulated terminals to run (real agent code, own credentials). Default: ${DEFAULT-VALUE}")
    int devices;

    @Option(names = "--data-dir", defaultValue = "${env:SIGNAGE_DATA_DIR:-./signage-data}",
            description = "Where the embedded database, broker state and simulator live. Default: ${DEFAULT-VALUE}")
    Path dataDir;

    @Option(names = "--http-port", defaultValue = "${env:SIGNAGE_HTTP_PORT:-8080}", description = "HTTP API port. Default: ${DEFAULT-VALUE}")
    int httpPort;

    @Option(names = "--mqtt-port", defaultValue = "${env:SIGNAGE_MQTT_PORT:-1883}", description = "Embedded MQTT broker port. Default: ${DEFAULT-VALUE}")
    int mqttPort;

    @Option(names = "--sqs-port", defaultValue = "${env:SIGNAGE_SQS_PORT:-9324}", description = "Embedded SQS server port. Default: ${DEFAULT-VALUE}")
    int sqsPort;

    @Option(names = "--bind", defaultValue = "${env:SIGNAGE_BIND_ADDRESS:-0.0.0.0}",
            description = "Interface for the HTTP API and MQTT listener. Default: ${DEFAULT-VALUE}")
    String bind;

    @Option(names = "--heartbeat", defaultValue = "${env:SIGNAGE_HEARTBEAT_SEC:-30}",
            description = "Terminal heartbeat in seconds (stale after 2, offline after 3). Default: ${DEFAULT-VALUE}")
    int heartbeatSeconds;

    @Option(names = "--postgres-url", defaultValue = "${env:SIGNAGE_POSTGRES_URL}",
            description = "External PostgreSQL (jdbc:postgresql://host:5432/db; user/password from SIGNAGE_POSTGRES_USER/_PASSWORD)")
    String postgresUrl;

    @Option(names = "--mqtt-url", defaultValue = "${env:SIGNAGE_MQTT_URL}",
            description = "External MQTT 5 broker (tcp://host:1883 or ssl://host:8883; service login from SIGNAGE_TELEMETRY_MQTT_USERNAME/_PASSWORD)")
    String mqttUrl;

    @Option(names = "--sqs-url", defaultValue = "${env:SIGNAGE_SQS_URL}", description = "External SQS endpoint (e.g. https://sqs.ap-northeast-1.amazonaws.com)")
    String sqsUrl;

    @Option(names = "--public-mqtt-url", defaultValue = "${env:SIGNAGE_PUBLIC_MQTT_URL}",
            description = "Broker URL written into generated agent configs (what terminals on your LAN use). Default: tcp://127.0.0.1:<mqtt-port> (or the --bind address)")
    String publicMqttUrl;

    @Option(names = "--broker-queue-size", defaultValue = "${env:SIGNAGE_BROKER_QUEUE_SIZE:-" + BrokerConfig.DEFAULT_MAX_QUEUE_SIZE + "}",
            description = "Messages the broker queues per client and shared subscription before it drops (and counts). Default: ${DEFAULT-VALUE}")
    long brokerQueueSize;

    @Override
    public Integer call() throws InterruptedException {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        StackOptions options = new StackOptions(dataDir, bind, httpPort, mqttPort, sqsPort, devices,
                Duration.ofSeconds(heartbeatSeconds), Optional.ofNullable(postgresUrl), Optional.ofNullable(mqttUrl),
                Optional.ofNullable(sqsUrl), Optional.ofNullable(publicMqttUrl),
                Optional.ofNullable(System.getenv("SIGNAGE_ADMIN_PASSWORD")).filter(p -> !p.isBlank()),
                brokerQueueSize, true);
        long startedAt = System.nanoTime();
        Stack stack;
        try {
            stack = Stack.start(options, Settings.fromEnvironment(), Clock.systemUTC());
        } catch (StackStartException | ConfigException e) {
            log.debug("Start failed", e);
            System.err.println("signage up: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            log.error("signage-fleet could not start: {}", Causes.rootMessage(e), e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutting down: terminals, HTTP API, telemetry consumer, queue server, MQTT broker, database (in that order)");
            stack.close();
            log.info("signage-fleet stopped; every acknowledged message is in the database ({})", stack.postgresDescription());
            stopped.countDown();
        }, "signage-shutdown"));
        System.out.println(Banner.text(stack, Duration.ofNanos(System.nanoTime() - startedAt)));
        stopped.await();
        return 0;
    }
}
