package dev.signagefleet.embedded.broker;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import dev.signagefleet.embedded.EmbeddedInfraException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HiveMQ Community Edition running inside this JVM with the signage access extension: the local
 * stand-in for AWS IoT Core. Messages it had to drop (a full client queue) are counted, because a
 * QoS 1 publisher still got its PUBACK for them.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);
    /** HiveMQ's counter of messages dropped for any reason (full queue, expired, too large for the client). */
    public static final String DROPPED_METRIC = "com.hivemq.messages.dropped.count";

    private final BrokerConfig config;
    private final EmbeddedHiveMQ hivemq;
    private final SignageAccessExtension access;

    private EmbeddedBroker(BrokerConfig config, EmbeddedHiveMQ hivemq, SignageAccessExtension access) {
        this.config = config;
        this.hivemq = hivemq;
        this.access = access;
    }

    public static EmbeddedBroker start(BrokerConfig config, BrokerAuthenticator authenticator) {
        Path conf = config.directory().resolve("conf");
        Path data = config.directory().resolve("data");
        Path extensions = config.directory().resolve("extensions");
        try {
            // HiveMQ needs all three folders before it starts, else it fails on data.lock.
            Files.createDirectories(conf);
            Files.createDirectories(data);
            Files.createDirectories(extensions);
            Files.writeString(conf.resolve("config.xml"), config.toXml(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EmbeddedInfraException("cannot prepare the broker folder " + config.directory()
                    + " (is it writable?)", e);
        }
        // Not in config.xml: HiveMQ CE reads its outgoing window (default 50) from this process-wide field
        // when it sends a client messages, so it applies to every embedded broker of this JVM.
        InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = config.outgoingWindow();
        SignageAccessExtension access = new SignageAccessExtension(authenticator);
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .withoutLoggingBootstrap()
                .withEmbeddedExtension(EmbeddedExtension.builder()
                        .withId("signage-access")
                        .withName("Signage device authentication and topic ACL")
                        .withVersion("1")
                        .withPriority(1000)
                        .withStartPriority(1000)
                        .withExtensionMain(access)
                        .build())
                .build();
        try {
            hivemq.start().get(120, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedInfraException("interrupted while starting the MQTT broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new EmbeddedInfraException("the MQTT broker did not start on port " + config.port()
                    + " (is the port in use? try --mqtt-port)", e);
        }
        log.info("MQTT broker listening on {}:{} (max QoS 1, max packet {} bytes, queue {} messages per client, "
                        + "up to {} unacknowledged messages out to a client)",
                config.bindAddress(), config.port(), config.maxPacketSize(), config.maxQueueSize(), config.outgoingWindow());
        return new EmbeddedBroker(config, hivemq, access);
    }

    public int port() {
        return config.port();
    }

    public BrokerConfig config() {
        return config;
    }

    /** Messages the broker dropped since it started (full queues included). */
    public long droppedMessages() {
        Metric metric = hivemq.getMetricRegistry().getMetrics().get(DROPPED_METRIC);
        if (metric instanceof Counter counter) {
            return counter.getCount();
        }
        return 0;
    }

    public MetricRegistry metrics() {
        return hivemq.getMetricRegistry();
    }

    public long refusedConnects() {
        return access.refusedConnects();
    }

    public long refusedPublishes() {
        return access.refusedPublishes();
    }

    public long refusedSubscribes() {
        return access.refusedSubscribes();
    }

    /** Closes a client's connection, e.g. a device whose credential was just rotated. */
    public void disconnect(String clientId, String reason) {
        access.disconnect(clientId, reason);
    }

    /** Stops the broker; sessions, queued and retained messages stay in the data folder. */
    @Override
    public void close() {
        try {
            hivemq.stop().get(60, TimeUnit.SECONDS);
            hivemq.close();
            log.info("MQTT broker stopped");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("The MQTT broker did not stop cleanly: {}", e.toString());
        }
    }
}
