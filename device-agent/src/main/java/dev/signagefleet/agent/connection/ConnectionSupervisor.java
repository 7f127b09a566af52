package dev.signagefleet.agent.connection;

import dev.signagefleet.agent.command.Command;
import dev.signagefleet.agent.command.GroupMembership;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.logging.DeviceLog;
import dev.signagefleet.agent.presence.Presence;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Keeps the terminal connected: its own reconnect loop with exponential backoff and full jitter
 * (Paho's automatic reconnect does not retry a failed first connect and does not resubscribe),
 * a persistent session so commands sent while offline arrive, and presence: the Last Will set at
 * each connect, {@code online} once subscribed, {@code offline} on a clean stop.
 *
 * <p>After each successful connect: subscribe, then publish online, then tell the {@link Listener}
 * the connection is ready (it resumes sending statuses). Confined to the agent's serial executor.
 */
public final class ConnectionSupervisor implements BrokerConnection.Events {

    /** What the rest of the agent needs to know about the connection. */
    public interface Listener {
        /** Subscribed and announced online: statuses may flow. */
        void ready(BrokerConnection connection);

        /** The ready connection is gone; nothing more will be acknowledged on it. */
        void lost();

        void command(Command command);
    }

    /** How long a clean stop waits for the broker to acknowledge the offline presence. */
    static final Duration OFFLINE_ACK_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DISCONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Paho's own limit for TCP + TLS + CONNACK; after it the attempt counts as failed and backs off. */
    static final int CONNECT_TIMEOUT_SECONDS = 30;
    /** A failure that repeats is logged again only every so many attempts (and each attempt at debug level). */
    static final int LOG_EVERY_NTH_REPEAT = 10;

    private final AgentConfig config;
    private final Optional<SSLSocketFactory> tls;
    private final UUID bootId;
    private final Clock clock;
    private final Executor serial;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private final Listener listener;
    private final DeviceLog log;
    private final String presenceTopic;
    /** The terminal's command filters: its own, and its group's when it has one. */
    private List<String> commandFilters;
    /** Filters of groups the terminal left that its (persistent) session may still hold. */
    private final Set<String> formerFilters = new LinkedHashSet<>();

    private BrokerConnection current;
    private boolean ready;
    private boolean stopped;
    private int failedAttempts;
    private int connections;
    private ScheduledFuture<?> pendingAttempt;
    private Optional<String> lastError = Optional.empty();

    /** @param group the group whose commands the terminal takes (see {@link GroupMembership}) */
    public ConnectionSupervisor(AgentConfig config, Optional<String> group, Optional<SSLSocketFactory> tls, UUID bootId,
            Clock clock, Executor serial, ScheduledExecutorService scheduler, Backoff backoff, Listener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.tls = Objects.requireNonNull(tls, "tls");
        this.bootId = Objects.requireNonNull(bootId, "bootId");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.serial = Objects.requireNonNull(serial, "serial");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.log = new DeviceLog(ConnectionSupervisor.class, config.deviceId());
        this.commandFilters = filters(config.deviceId(), group);
        this.presenceTopic = Presence.topic(config.deviceId());
    }

    private static List<String> filters(String deviceId, Optional<String> group) {
        List<String> filters = new ArrayList<>();
        filters.add(Command.deviceFilter(deviceId));
        group.ifPresent(g -> filters.add(Command.groupFilter(g)));
        return List.copyOf(filters);
    }

    /**
     * The terminal moved to another group: from now on it takes that group's commands. On an open
     * connection the old group's filter is dropped and the new one subscribed at once. The broker may
     * refuse the new one until the terminal connects again with the new group's permission (the
     * server disconnects a moved terminal for that); every connect subscribes the current filters.
     */
    public void groupChanged(GroupMembership.Change change) {
        change.from().map(Command::groupFilter).ifPresent(formerFilters::add);
        change.to().map(Command::groupFilter).ifPresent(formerFilters::remove);
        commandFilters = filters(config.deviceId(), change.to());
        // also while the connect's own SUBSCRIBE is still out: it carries the filters from before the move
        if (current != null && current.isConnected()) {
            dropFormerFilters(current);
            change.to().map(Command::groupFilter).ifPresent(filter -> current.subscribe(List.of(filter), new BrokerConnection.SubscribeOutcome() {
                @Override
                public void granted(BrokerConnection on, int[] reasonCodes) {
                    if (reasonCodes.length > 0 && reasonCodes[0] >= 128) {
                        log.info("the broker does not let this connection subscribe to " + filter + " yet (reason code "
                                + reasonCodes[0] + "); it will on the next connect, with the new group's permission");
                    } else {
                        log.info("now taking the commands of group " + change.to().get());
                    }
                }

                @Override
                public void failed(BrokerConnection on, Throwable cause) {
                    // the connection broke; the next connect subscribes the current filters
                }
            }));
        }
    }

    /** Unsubscribes the filters of groups left; they are forgotten once the broker confirmed. */
    private void dropFormerFilters(BrokerConnection connection) {
        if (formerFilters.isEmpty()) {
            return;
        }
        List<String> leaving = List.copyOf(formerFilters);
        connection.unsubscribe(leaving, new BrokerConnection.SubscribeOutcome() {
            @Override
            public void granted(BrokerConnection on, int[] reasonCodes) {
                leaving.forEach(formerFilters::remove);
                log.info("no longer taking the commands of " + leaving);
            }

            @Override
            public void failed(BrokerConnection on, Throwable cause) {
                // kept: the next connect tries again
            }
        });
    }

    /** Makes the first attempt now; failures are retried until {@link #stop()} or {@link #kill()}. */
    public void start() {
        attempt();
    }

    public boolean isReady() {
        return ready;
    }

    /** Successful connections in this boot: the {@code conn} of the latest presence. */
    public int connections() {
        return connections;
    }

    /** Why the latest attempt failed or the latest connection ended; empty once connected again. */
    public Optional<String> lastError() {
        return lastError;
    }

    private void attempt() {
        pendingAttempt = null;
        if (stopped) {
            return;
        }
        Instant openedAt = clock.instant();
        Presence will = Presence.lastWill(config.deviceId(), bootId, openedAt, connections + 1);
        log.debug(() -> "connecting to " + config.mqttUrl() + " (attempt " + (failedAttempts + 1) + ")");
        current = BrokerConnection.open(config.mqttUrl(), config.deviceId(), options(will), scheduler, serial, this);
    }

    private MqttConnectionOptions options(Presence will) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        // a persistent session: the broker keeps the subscriptions and queues commands while the terminal is away
        options.setCleanStart(false);
        options.setSessionExpiryInterval(config.sessionExpiry().toSeconds()); // Paho needs > 0 for that
        options.setKeepAliveInterval((int) config.keepAlive().toSeconds());
        options.setConnectionTimeout(CONNECT_TIMEOUT_SECONDS);
        options.setAutomaticReconnect(false); // our loop retries, including a failed first connect
        options.setUserName(config.mqttUsername());
        config.mqttPassword().ifPresent(password -> options.setPassword(password.value().getBytes(StandardCharsets.UTF_8)));
        tls.ifPresent(options::setSocketFactory);
        // the offline presence the broker publishes if this connection breaks without a DISCONNECT
        options.setWill(presenceTopic, new MqttMessage(will.toPayload(), 1, true, new MqttProperties()));
        return options;
    }

    @Override
    public void connected(BrokerConnection connection, boolean sessionPresent) {
        if (connection != current || stopped) {
            connection.kill(); // an attempt that was abandoned (stop) and still completed
            return;
        }
        connections++;
        failedAttempts = 0;
        lastError = Optional.empty();
        log.info("connected to " + config.mqttUrl() + " (connection " + connections + " of this boot, session "
                + (sessionPresent ? "resumed" : "new") + ")");
        // subscribe on every connect: a new session (expired, or taken over) has no subscriptions
        dropFormerFilters(connection);
        List<String> filters = commandFilters;
        connection.subscribe(filters, new BrokerConnection.SubscribeOutcome() {
            @Override
            public void granted(BrokerConnection subscribed, int[] reasonCodes) {
                subscribedOn(subscribed, filters, reasonCodes);
            }

            @Override
            public void failed(BrokerConnection subscribed, Throwable cause) {
                if (subscribed == current && !stopped) {
                    // the connection is unusable without commands; drop it and let the loop connect again
                    log.warn("subscribing to commands failed: " + Failures.describe(cause) + "; reconnecting");
                    subscribed.kill();
                    ended(subscribed, "subscribe failed: " + Failures.describe(cause));
                }
            }
        });
    }

    private void subscribedOn(BrokerConnection connection, List<String> filters, int[] reasonCodes) {
        if (connection != current || stopped) {
            return;
        }
        for (int i = 0; i < filters.size() && i < reasonCodes.length; i++) {
            if (reasonCodes[i] >= 128 && i == 0) { // the first filter is the terminal's own
                log.error("the broker refused the subscription to " + filters.get(i) + " (reason code " + reasonCodes[i]
                        + "); this terminal's commands will not arrive: check the device's policy");
            } else if (reasonCodes[i] >= 128) {
                // also the moment after a move, before the move message arrived: then it passes by itself
                log.warn("the broker refused the subscription to " + filters.get(i) + " (reason code " + reasonCodes[i]
                        + "); the group's commands will not arrive unless the server moves this terminal to another group:"
                        + " check device.group and the device's policy");
            }
        }
        Presence online = Presence.online(config.deviceId(), bootId, clock.instant(), connections);
        connection.publish(presenceTopic, online.toPayload(), true, new BrokerConnection.PublishOutcome() {
            @Override
            public void acknowledged(BrokerConnection on, int reasonCode) {
                if (reasonCode >= 128) {
                    log.error("the broker refused the online presence on " + presenceTopic
                            + " (reason code " + reasonCode + ")");
                }
            }

            @Override
            public void failed(BrokerConnection on, Throwable cause) {
                // the connection broke; the next one announces itself again
            }
        });
        ready = true;
        listener.ready(connection);
    }

    @Override
    public void connectFailed(BrokerConnection connection, Throwable cause) {
        if (connection != current) {
            connection.close();
            return;
        }
        current = null;
        connection.close();
        if (stopped) {
            return;
        }
        failedAttempts++;
        String reason = Failures.describe(cause);
        boolean sameAsBefore = lastError.equals(Optional.of(reason));
        lastError = Optional.of(reason);
        Duration wait = backoff.delay(failedAttempts);
        String line = "cannot connect to " + config.mqttUrl() + " (attempt " + failedAttempts + "): " + reason
                + "; next attempt in " + wait.toMillis() + " ms";
        if (sameAsBefore && failedAttempts % LOG_EVERY_NTH_REPEAT != 0) {
            // a long outage would otherwise log a line per attempt for every terminal of the fleet
            log.debug(() -> line);
        } else if (Failures.isRefusal(cause)) {
            log.error(line + " (the credential or policy must be fixed; retrying meanwhile)");
        } else {
            log.warn(line);
        }
        retryIn(wait);
    }

    @Override
    public void lost(BrokerConnection connection, String reason) {
        if (connection == current && !stopped) {
            log.warn("connection to " + config.mqttUrl() + " lost: " + reason);
            ended(connection, reason);
        } else {
            connection.close();
        }
    }

    private void ended(BrokerConnection connection, String reason) {
        current = null;
        connection.close();
        lastError = Optional.of(reason);
        if (ready) {
            ready = false;
            listener.lost();
        }
        retryIn(backoff.delay(1)); // a fresh outage starts the backoff from its base
    }

    private void retryIn(Duration wait) {
        pendingAttempt = scheduler.schedule(() -> serial.execute(this::attempt), wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void messageArrived(BrokerConnection connection, String topic, byte[] payload, boolean retained) {
        if (stopped) {
            return;
        }
        listener.command(new Command(topic, payload, retained));
    }

    /**
     * Says goodbye: publishes the offline presence (brokers do not send the will on a clean
     * disconnect), waits a bounded time for its PUBACK, then disconnects. Blocks the serial executor
     * for at most a few seconds.
     */
    public void stop() {
        stopped = true;
        cancelPendingAttempt();
        BrokerConnection connection = current;
        current = null;
        ready = false;
        if (connection == null) {
            return;
        }
        if (!connection.isConnected()) {
            connection.kill(); // an attempt in progress
            return;
        }
        Presence offline = Presence.shutdown(config.deviceId(), bootId, clock.instant(), connections);
        try {
            int code = connection.publishAndWait(presenceTopic, offline.toPayload(), true, OFFLINE_ACK_TIMEOUT);
            if (code >= 128) {
                log.error("the broker refused the offline presence (reason code " + code + ")");
            }
            connection.disconnect(DISCONNECT_TIMEOUT);
            log.info("disconnected cleanly after announcing offline");
        } catch (Exception e) {
            log.warn("clean disconnect failed (" + Failures.describe(e) + "); the broker will publish the Last Will instead");
            connection.kill();
        }
    }

    /** Drops the connection without a word, as a power cut would: the broker publishes the Last Will. */
    public void kill() {
        stopped = true;
        cancelPendingAttempt();
        ready = false;
        if (current != null) {
            current.kill();
            current = null;
        }
    }

    private void cancelPendingAttempt() {
        if (pendingAttempt != null) {
            pendingAttempt.cancel(false);
            pendingAttempt = null;
        }
    }
}
