package dev.signagefleet.agent;

import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.metrics.MetricsSource;
import dev.signagefleet.agent.metrics.SimulatedMetrics;
import dev.signagefleet.testing.BrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Per test: an {@link Observer} of everything under {@code dt/signage/}, a fresh buffer directory,
 * agents with fast timings against the test broker, and afterwards the broker up again and every
 * agent killed. Use as {@code @RegisterExtension final AgentFixture fixture = new AgentFixture(broker);}.
 */
final class AgentFixture implements BeforeEachCallback, AfterEachCallback {

    private final BrokerExtension broker;
    private final List<DeviceAgent> agents = new CopyOnWriteArrayList<>();
    private Path bufferDir;
    private Observer observer;

    AgentFixture(BrokerExtension broker) {
        this.broker = broker;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
        Awaitility.setDefaultPollInterval(Duration.ofMillis(20));
        bufferDir = Files.createTempDirectory("agent-buffers-");
        observer = Observer.watching(broker, "dt/signage/#");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        broker.start(); // in case a test failed while the broker was down
        killAll();
        observer.close();
        dev.signagefleet.testing.TempDirs.deleteQuietly(bufferDir); // a full build runs hundreds of agents
    }

    /** Kills every agent made so far (before a shared scheduler is shut down). */
    void killAll() {
        agents.forEach(DeviceAgent::kill);
        agents.clear();
    }

    Observer observer() {
        return observer;
    }

    /** A directory the test may use for its own files. */
    Path dir() {
        return bufferDir;
    }

    /** Heartbeat 0.2 s, reconnect backoff 50–500 ms; {@code overrides} are key, value pairs. */
    AgentConfig config(String deviceId, String group, String password, String... overrides) {
        Map<String, String> values = new HashMap<>();
        values.put("device.id", deviceId);
        if (group != null) {
            values.put("device.group", group);
        }
        values.put("mqtt.url", broker.url());
        values.put("mqtt.password", password);
        values.put("heartbeat.seconds", "0.2");
        values.put("reconnect.min.ms", "50");
        values.put("reconnect.max.ms", "500");
        values.put("buffer.dir", bufferDir.toString());
        values.put("content.dir", bufferDir.resolve("content").toString());
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            values.put(overrides[i], overrides[i + 1]);
        }
        return AgentConfig.parse(values);
    }

    DeviceAgent agent(AgentConfig config) {
        return agent(config, simulated(config));
    }

    DeviceAgent agent(AgentConfig config, MetricsSource metrics) {
        return kept(new DeviceAgent(config, metrics, Clock.systemUTC()));
    }

    /** An agent on {@code scheduler}, shared with others, as in the simulator. */
    DeviceAgent agent(AgentConfig config, ScheduledExecutorService scheduler) {
        return kept(new DeviceAgent(config, simulated(config), Clock.systemUTC(), scheduler));
    }

    private static SimulatedMetrics simulated(AgentConfig config) {
        return new SimulatedMetrics(config.deviceId(), config.deviceId().hashCode(), Clock.systemUTC());
    }

    /** Remembered, so it is stopped after the test. */
    private DeviceAgent kept(DeviceAgent agent) {
        agents.add(agent);
        return agent;
    }
}
