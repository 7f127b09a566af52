package dev.signagefleet.testing;

import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.mqtt.MqttSettings;
import dev.signagefleet.embedded.broker.BrokerConfig;
import dev.signagefleet.embedded.broker.EmbeddedBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real HiveMQ CE broker with the signage access extension, one per test class, on a free port.
 * Use as {@code @RegisterExtension static final BrokerExtension broker = new BrokerExtension();}.
 * The broker can be stopped and started again on the same data folder to test outages.
 */
public final class BrokerExtension implements BeforeAllCallback, AfterAllCallback {

    private final TestBrokerAccounts accounts = new TestBrokerAccounts();
    private final long maxQueueSize;
    private BrokerConfig config;
    private EmbeddedBroker broker;

    public BrokerExtension() {
        this(BrokerConfig.DEFAULT_MAX_QUEUE_SIZE);
    }

    public BrokerExtension(long maxQueueSize) {
        this.maxQueueSize = maxQueueSize;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        try {
            Path dir = Files.createTempDirectory("signage-broker-");
            config = BrokerConfig.defaults(FreePorts.next(), dir)
                    .withBindAddress("127.0.0.1")
                    .withMaxQueueSize(maxQueueSize);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
        TempDirs.deleteQuietly(config.directory());
    }

    public synchronized void start() {
        if (broker == null) {
            broker = EmbeddedBroker.start(config, accounts);
        }
    }

    public synchronized void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    public TestBrokerAccounts accounts() {
        return accounts;
    }

    public EmbeddedBroker broker() {
        return broker;
    }

    public int port() {
        return config.port();
    }

    public String url() {
        return "tcp://127.0.0.1:" + config.port();
    }

    public MqttSettings observerSettings() {
        return new MqttSettings(url(), TestBrokerAccounts.OBSERVER, new Secret(TestBrokerAccounts.OBSERVER_PASSWORD));
    }
}
