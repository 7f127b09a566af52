package dev.signagefleet.launcher.simulator;

import dev.signagefleet.agent.DeviceAgent;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.metrics.SimulatedMetrics;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.telemetry.registry.NewDevice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Simulated terminals that run the real agent code: each has its own agent.properties (with its own
 * credential, kept under the data dir like on a real terminal), its own MQTT connection, its own
 * offline buffer, and plausible varying metrics. Restarting on the same data dir brings back the
 * same terminals.
 */
public final class FleetSimulator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FleetSimulator.class);
    /** The groups simulated terminals are spread over. */
    public static final List<String> GROUPS = List.of("tokyo-east", "tokyo-west", "osaka", "nagoya");

    private final List<DeviceAgent> agents = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler;
    private final Path directory;
    private final Clock clock;

    private FleetSimulator(ScheduledExecutorService scheduler, Path directory, Clock clock) {
        this.scheduler = scheduler;
        this.directory = directory;
        this.clock = clock;
    }

    /**
     * Registers (or reuses) {@code count} terminals {@code sim-0001…} and starts their agents.
     *
     * @param directory where each terminal's agent.properties and offline buffer live
     */
    public static FleetSimulator start(int count, Path directory, DeviceRegistry registry, String mqttUrl,
                                       Duration heartbeat, Clock clock) {
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(Math.max(2, Math.min(8, count / 50 + 1)), r -> {
            Thread t = new Thread(r, "simulator");
            t.setDaemon(true);
            return t;
        });
        FleetSimulator simulator = new FleetSimulator(scheduler, directory, clock);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the simulator folder " + directory, e);
        }
        for (int i = 1; i <= count; i++) {
            String deviceId = String.format("sim-%04d", i);
            String group = GROUPS.get((i - 1) % GROUPS.size());
            AgentConfig config = configFor(deviceId, group, i, directory, registry, mqttUrl, heartbeat);
            simulator.agents.add(simulator.launch(config, i));
        }
        log.info("Started {} simulated terminal(s) running the real agent code (groups {})", count, GROUPS);
        return simulator;
    }

    /** Reads the terminal's agent.properties, registering it (or renewing a lost credential) when needed. */
    private static AgentConfig configFor(String deviceId, String group, int index, Path directory, DeviceRegistry registry,
                                         String mqttUrl, Duration heartbeat) {
        Path file = directory.resolve(deviceId + ".properties");
        Optional<DeviceRegistry.Device> registered = registry.find(deviceId);
        String credential = null;
        if (registered.isEmpty()) {
            credential = registry.register(new NewDevice(deviceId, group, "Simulated terminal " + index,
                    "Simulator rack " + ((index - 1) / 10 + 1)), "simulator").credential();
        } else if (!Files.exists(file)) {
            credential = registry.rotateCredential(deviceId).orElseThrow();
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (credential == null) {
            values.putAll(AgentConfig.readProperties(file));
        } else {
            values.put("device.id", deviceId);
            values.put("device.group", registered.map(DeviceRegistry.Device::group).orElse(group));
            values.put("mqtt.password", credential);
        }
        // The stack may run on other ports or heartbeat this time; the identity stays.
        values.put("mqtt.url", mqttUrl);
        values.put("heartbeat.seconds", String.valueOf(heartbeat.toMillis() / 1000.0));
        values.put("buffer.dir", directory.resolve("buffers").toString());
        values.put("content.dir", directory.resolve("content").toString());
        AgentConfig config = AgentConfig.parse(values);
        try {
            config.writePropertiesFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return config;
    }

    private DeviceAgent launch(AgentConfig config, long seed) {
        DeviceAgent agent = new DeviceAgent(config, new SimulatedMetrics(config.deviceId(), 1_000L + seed, clock), clock, scheduler);
        agent.start();
        return agent;
    }

    public List<DeviceAgent> agents() {
        return List.copyOf(agents);
    }

    /** Switches one terminal off cleanly (as a power-down with a clean shutdown would). */
    public void stopTerminal(String deviceId) {
        agents.stream().filter(a -> a.deviceId().equals(deviceId)).findFirst().ifPresent(agent -> {
            agent.stop();
            agents.remove(agent);
        });
    }

    /** Switches a stopped terminal on again: a new boot with the same config, buffer and content folder. */
    public void startTerminal(String deviceId) {
        if (agents.stream().anyMatch(a -> a.deviceId().equals(deviceId))) {
            return;
        }
        AgentConfig config = AgentConfig.load(directory.resolve(deviceId + ".properties"), java.util.Map.of());
        agents.add(launch(config, deviceId.hashCode()));
    }

    /** Stops every terminal cleanly: each publishes its offline presence and disconnects. */
    @Override
    public void close() {
        agents.parallelStream().forEach(agent -> {
            try {
                agent.stop();
            } catch (RuntimeException e) {
                log.warn("Simulated terminal {} did not stop cleanly: {}", agent.deviceId(), e.getMessage());
            }
        });
        scheduler.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("Stopped {} simulated terminal(s)", agents.size());
    }
}
