package dev.signagefleet.agent;

import dev.signagefleet.agent.buffer.StatusBuffer;
import dev.signagefleet.agent.command.Command;
import dev.signagefleet.agent.command.CommandListener;
import dev.signagefleet.agent.command.GroupMembership;
import dev.signagefleet.agent.command.LoggingCommandListener;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.connection.Backoff;
import dev.signagefleet.agent.connection.BrokerConnection;
import dev.signagefleet.agent.connection.ClientTls;
import dev.signagefleet.agent.connection.ConnectionSupervisor;
import dev.signagefleet.agent.content.ContentDelivery;
import dev.signagefleet.agent.content.ContentVersion;
import dev.signagefleet.agent.content.ContentWorkers;
import dev.signagefleet.agent.logging.DeviceLog;
import dev.signagefleet.agent.metrics.MetricsSource;
import dev.signagefleet.agent.status.StatusForwarder;
import dev.signagefleet.agent.status.StatusReporter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLSocketFactory;

/**
 * The agent of one signage terminal: reports its status over MQTT every heartbeat and at once on
 * a change, announces its presence, keeps statuses on disk while the broker is out of reach, puts
 * the content assigned to it on screen ({@link ContentDelivery}), and hands other commands to a
 * {@link CommandListener}.
 *
 * <p>Runs alone ({@link Main}) or by the thousand inside a simulator, sharing one
 * {@link ScheduledExecutorService}. Every state change runs on a per-agent serial executor, never
 * on Paho's threads; downloads run on a content worker ({@link ContentWorkers}: the agent's own
 * daemon thread, or a small pool shared by the agents of a shared scheduler). The public methods
 * are thread-safe and never block for long.
 *
 * <pre>{@code
 * DeviceAgent agent = new DeviceAgent(config, new SimulatedMetrics(id, seed, clock), clock, sharedScheduler);
 * agent.setCommandListener(command -> ...);
 * agent.start();
 * ...
 * agent.stop();   // or agent.kill() to simulate a power cut
 * }</pre>
 */
public final class DeviceAgent {

    /** How often display and IP are checked, so a change is reported within seconds, not at the next heartbeat. */
    public static final Duration CHANGE_CHECK_PERIOD = Duration.ofSeconds(2);
    /** Upper bound of {@link #stop()} and {@link #kill()}; a clean stop needs one PUBACK and a DISCONNECT. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /** Where, in the terminal's content directory, the group the server moved it to is kept. */
    static final String GROUP_FILE = "group";

    private final AgentConfig config;
    private final MetricsSource metrics;
    private final Clock clock;
    private final UUID bootId = UUID.randomUUID();
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final SerialExecutor serial;
    private final ExecutorService contentWorker;
    private final DeviceLog log;
    private final Optional<SSLSocketFactory> tls;
    private final AtomicReference<AgentState.Lifecycle> lifecycle = new AtomicReference<>(AgentState.Lifecycle.NEW);
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private volatile CommandListener commandListener;
    private volatile String contentVersionAtStart;
    private volatile AgentState state;

    // confined to the serial executor once started
    private StatusReporter reporter;
    private StatusBuffer buffer;
    private StatusForwarder forwarder;
    private ConnectionSupervisor supervisor;
    private ContentDelivery content;
    private GroupMembership group;

    /** An agent with its own timer thread. */
    public DeviceAgent(AgentConfig config, MetricsSource metrics, Clock clock) {
        this(config, metrics, clock, null);
    }

    /**
     * An agent whose timers and work run on {@code scheduler}, which many agents may share; the
     * agent never shuts it down. Pass null for an agent with its own thread.
     *
     * @throws dev.signagefleet.agent.config.AgentConfigException when the TLS files cannot be used
     */
    public DeviceAgent(AgentConfig config, MetricsSource metrics, Clock clock, ScheduledExecutorService scheduler) {
        this.config = Objects.requireNonNull(config, "config");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.log = new DeviceLog(DeviceAgent.class, config.deviceId());
        this.tls = ClientTls.socketFactory(config); // fails now, at start-up, rather than on every connect
        this.ownScheduler = scheduler == null;
        this.scheduler = ownScheduler ? ownScheduler(config.deviceId()) : scheduler;
        this.serial = new SerialExecutor(this.scheduler, this::refreshState, log);
        this.contentWorker = ownScheduler ? ContentWorkers.ownWorker(config.deviceId()) : ContentWorkers.shared();
        this.commandListener = new LoggingCommandListener(config.deviceId());
        refreshState();
    }

    private static ScheduledExecutorService ownScheduler(String deviceId) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "signage-agent-" + deviceId);
            thread.setDaemon(true); // Main keeps the JVM alive; a simulator's agents must not
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    public String deviceId() {
        return config.deviceId();
    }

    /** Starts reporting and connecting; returns at once. An agent starts once. */
    public void start() {
        if (!lifecycle.compareAndSet(AgentState.Lifecycle.NEW, AgentState.Lifecycle.RUNNING)) {
            throw new IllegalStateException("agent " + config.deviceId() + " was already started");
        }
        serial.execute(this::begin);
    }

    private void begin() {
        log.info("agent " + AgentVersion.current() + " starting, boot " + bootId + ", broker " + config.mqttUrl());
        group = GroupMembership.load(config.deviceContentDir().resolve(GROUP_FILE), config.deviceGroup(), log);
        // Connect first: the connect waits on the network and the broker (and Paho 1.2.5 sleeps 100 ms for each
        // of its three threads to start), and the rest of the start runs meanwhile. Its outcome arrives on this
        // serial executor, so only after this method, when everything below is in place.
        supervisor = new ConnectionSupervisor(config, group.current(), tls, bootId, clock, serial, scheduler,
                new Backoff(config.reconnectBase(), config.reconnectCap(), RandomGenerator.getDefault()),
                new ConnectionEvents());
        supervisor.start();
        reporter = new StatusReporter(config.deviceId(), bootId, AgentVersion.current(), metrics, clock);
        content = ContentDelivery.forConfig(config, group.current(), tls, "signage-device-agent/" + AgentVersion.current(), serial, scheduler,
                contentWorker, new ContentEvents());
        Optional<ContentVersion> onScreen = content.start();
        // a version set by the embedder before start wins over what the content directory says
        reporter.presetContentVersion(contentVersionAtStart != null ? contentVersionAtStart
                : onScreen.map(ContentVersion::toString).orElse(null));
        buffer = StatusBuffer.open(config.deviceBufferDir(), config.bufferMaxMessages(), config.deviceId());
        forwarder = new StatusForwarder(buffer, config.deviceId());
        long heartbeat = config.heartbeat().toNanos();
        timers.add(scheduler.scheduleAtFixedRate(() -> serial.execute(this::heartbeat), 0, heartbeat, TimeUnit.NANOSECONDS));
        long check = CHANGE_CHECK_PERIOD.toNanos();
        timers.add(scheduler.scheduleAtFixedRate(() -> serial.execute(this::checkForChanges), check, check, TimeUnit.NANOSECONDS));
    }

    private void heartbeat() {
        forwarder.submit(reporter.heartbeat(buffer.dropped()));
    }

    private void checkForChanges() {
        reporter.ifChanged(buffer.dropped()).ifPresent(forwarder::submit);
    }

    /**
     * Records the content version now on screen (null: none); a status reporting it is sent at
     * once if it differs from the last one reported. Set before {@link #start()}, the first status
     * carries it. For an embedder that shows content by its own means; assignments received over
     * MQTT set it themselves.
     */
    public void setContentVersion(String contentVersion) {
        if (lifecycle.get() == AgentState.Lifecycle.NEW) {
            contentVersionAtStart = contentVersion; // the first status will carry it
        }
        serial.execute(() -> {
            if (reporter != null && lifecycle.get() == AgentState.Lifecycle.RUNNING) {
                reporter.contentVersion(contentVersion, buffer.dropped()).ifPresent(forwarder::submit);
            }
        });
    }

    /** Who receives commands from now on; the default logs them. */
    public void setCommandListener(CommandListener listener) {
        this.commandListener = Objects.requireNonNull(listener, "listener");
    }

    /** The latest snapshot; cheap, callable from any thread. */
    public AgentState state() {
        return state;
    }

    /**
     * Stops cleanly: publishes the offline presence, waits (bounded) for its PUBACK, disconnects.
     * Statuses not yet acknowledged stay on disk for the next start. Blocks for at most about ten
     * seconds; calling it again, or after {@link #kill()}, does nothing.
     */
    public void stop() {
        shutDown(() -> supervisor.stop(), "stopped");
    }

    /**
     * Drops the connection abruptly, without a DISCONNECT, so the broker publishes the Last Will
     * (offline, {@code connection-lost}); for tests and the simulator's power cuts.
     */
    public void kill() {
        shutDown(() -> supervisor.kill(), "killed");
    }

    private void shutDown(Runnable connectionEnd, String what) {
        AgentState.Lifecycle before = lifecycle.getAndSet(AgentState.Lifecycle.STOPPED);
        if (before == AgentState.Lifecycle.STOPPED) {
            return;
        }
        Runnable end = () -> {
            timers.forEach(timer -> timer.cancel(false));
            if (content != null) {
                content.stop();
            }
            if (supervisor != null) {
                connectionEnd.run();
            }
            log.info("agent " + what + " after " + (reporter == null ? 0 : reporter.lastSeq()) + " statuses"
                    + (buffer == null || buffer.size() == 0 ? "" : "; " + buffer.size() + " wait in the buffer for the next start"));
            refreshState();
            serial.close();
        };
        if (before == AgentState.Lifecycle.NEW || serial.isCurrentThread()) {
            end.run();
        } else {
            runAndWait(end);
        }
        if (ownScheduler) {
            scheduler.shutdownNow();
            contentWorker.shutdownNow(); // a download in progress stops at its next chunk or timeout
        }
    }

    private void runAndWait(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        serial.execute(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.error("stopping failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            log.warn("stopping took longer than " + STOP_TIMEOUT.toSeconds() + " s; leaving it to finish in the background");
        }
    }

    private void refreshState() {
        boolean started = supervisor != null;
        state = new AgentState(config.deviceId(), bootId, lifecycle.get(),
                started && supervisor.isReady() && lifecycle.get() == AgentState.Lifecycle.RUNNING,
                reporter == null ? 0 : reporter.lastSeq(),
                buffer == null ? 0 : buffer.size(),
                buffer == null ? 0 : buffer.dropped(),
                forwarder == null ? 0 : forwarder.refusedCount(),
                forwarder == null ? Optional.empty() : forwarder.lastRefusal(),
                started ? supervisor.connections() : 0,
                started ? supervisor.lastError() : Optional.empty());
    }

    /** The content feature's news, on the serial executor: reported at once. */
    private final class ContentEvents implements ContentDelivery.Listener {

        @Override
        public void switched(ContentVersion version) {
            if (lifecycle.get() == AgentState.Lifecycle.RUNNING) {
                reporter.contentSwitched(version.toString(), buffer.dropped()).ifPresent(forwarder::submit);
            }
        }

        @Override
        public void problem(String error) {
            if (lifecycle.get() == AgentState.Lifecycle.RUNNING) {
                reporter.contentError(Optional.of(error), buffer.dropped()).ifPresent(forwarder::submit);
            }
        }
    }

    /** The server moved the terminal to another group: its commands and content follow. */
    private void moved(Command command) {
        Optional<GroupMembership.Change> change;
        try {
            change = group.apply(command);
        } catch (IllegalArgumentException e) {
            log.warn("ignoring an invalid group move on " + command.topic() + ": " + e.getMessage() + "; staying in group "
                    + group.current().orElse("(none)"));
            return;
        }
        change.ifPresent(moved -> {
            log.info("moved by the server from group " + moved.from().orElse("(none)") + " to " + moved.to().orElse("(none)"));
            supervisor.groupChanged(moved);
            content.groupChanged(moved.to());
        });
    }

    /** The connection's news, on the serial executor. */
    private final class ConnectionEvents implements ConnectionSupervisor.Listener {

        @Override
        public void ready(BrokerConnection connection) {
            forwarder.connected(connection);
        }

        @Override
        public void lost() {
            forwarder.disconnected();
        }

        @Override
        public void command(Command command) {
            if (command.topic().equals(GroupMembership.topic(config.deviceId()))) {
                moved(command);
                return;
            }
            if (group.isOtherGroupsTopic(command.topic())) {
                log.debug(() -> "ignoring " + command + ": not this terminal's group (any longer)");
                return;
            }
            if (content.handles(command.topic())) {
                content.received(command);
                return;
            }
            try {
                commandListener.onCommand(command);
            } catch (RuntimeException e) {
                log.error("the command listener failed on " + command.topic() + ": " + e, e);
            }
        }
    }
}
