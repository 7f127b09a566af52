package dev.signagefleet.management.alerts;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerting at run time: one daemon thread that, every {@code interval}, evaluates the rules
 * ({@link AlertEngine}) and then sends due webhook deliveries ({@link WebhookDispatcher}). Starts
 * when constructed; several instances (one per management process) may run against one database.
 */
public final class AlertsService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AlertsService.class);

    private final Alerts alerts;
    private final AlertEngine engine;
    private final WebhookDispatcher dispatcher;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alerts");
        t.setDaemon(true);
        return t;
    });

    /** With the default settings ({@link AlertsConfig#defaults()}) and the given round interval. */
    public AlertsService(Jdbi jdbi, Clock clock, Duration interval) {
        this(jdbi, clock, AlertsConfig.defaults().withInterval(interval));
    }

    public AlertsService(Jdbi jdbi, Clock clock, AlertsConfig config) {
        this.alerts = new Alerts(jdbi, clock);
        this.engine = new AlertEngine(jdbi, clock, alerts, config.stormThreshold());
        this.dispatcher = new WebhookDispatcher(jdbi, clock, config);
        log.info("Alerts: {}", config);
        long period = config.interval().toMillis();
        timer.scheduleWithFixedDelay(this::round, period, period, TimeUnit.MILLISECONDS);
    }

    /** The rules, webhooks, alerts and delivery log, for the console. */
    public Alerts alerts() {
        return alerts;
    }

    private void round() {
        try {
            engine.runOnce();
        } catch (RuntimeException e) {
            // e.g. the database is briefly unreachable: the next round tries again
            log.warn("Alert rules could not be evaluated this round; trying again in the next: {}", e.toString());
        }
        try {
            dispatcher.runOnce();
        } catch (RuntimeException e) {
            log.warn("Webhook deliveries could not be sent this round; trying again in the next: {}", e.toString());
        }
    }

    /** Stops the rounds; a round under way is interrupted (its deliveries are sent again after their lease). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("The alerts round did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
