package dev.signagefleet.management.fleet;

import dev.signagefleet.management.auth.Role;
import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.management.http.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/fleet/summary}: counts by connectivity, group and agent version, and delivery health.
 * The device counts read every device, so one reading is shared by the requests of {@link #MAX_AGE}
 * ({@code asOf} in the answer says when it was read); the delivery figures are read on every request.
 *
 * <p>A reading older than that is still answered, up to {@link #MAX_STALE}, while one background
 * thread reads the counts again: requests never queue behind the aggregate. Only without a reading
 * younger than {@link #MAX_STALE} (the first request, or after a quiet spell) does a request read the
 * counts itself, and then the requests that arrive meanwhile wait for that one reading.
 */
public final class FleetRoutes implements Routes {

    /** How long a reading of the device counts is answered without reading again. */
    public static final Duration MAX_AGE = Duration.ofSeconds(1);
    /** How old a reading may be and still be answered (while a fresher one is read in the background). */
    public static final Duration MAX_STALE = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(FleetRoutes.class);

    private final FleetQueries fleet;
    private final Supplier<Map<String, Object>> brokerFigures;
    private final Clock clock;
    private final Duration maxAge;
    private final Duration maxStale;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Counts counts;

    record Counts(FleetQueries.FleetSummary summary, Instant asOf) {
    }

    /**
     * @param brokerFigures what the broker reports about delivery (dropped messages), or an empty map
     */
    public FleetRoutes(FleetQueries fleet, Supplier<Map<String, Object>> brokerFigures) {
        this(fleet, brokerFigures, Clock.systemUTC(), MAX_AGE, MAX_STALE);
    }

    /**
     * @param maxAge   how long a reading is answered without reading again ({@link Duration#ZERO}: read for every request)
     * @param maxStale how old a reading may be and still be answered while a new one is read in the background
     */
    public FleetRoutes(FleetQueries fleet, Supplier<Map<String, Object>> brokerFigures, Clock clock, Duration maxAge,
                       Duration maxStale) {
        this.fleet = fleet;
        this.brokerFigures = brokerFigures;
        this.clock = clock;
        this.maxAge = maxAge;
        this.maxStale = maxStale.compareTo(maxAge) < 0 ? maxAge : maxStale;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/fleet/summary", this::summary, Role.VIEWER);
    }

    /** The device counts: the shared reading, refreshed in the background once it is older than maxAge. */
    Counts counts() {
        Counts c = counts;
        if (younger(c, maxAge)) {
            return c;
        }
        if (younger(c, maxStale)) {
            refreshInBackground();
            return c;
        }
        synchronized (this) {
            // requests that waited here for the reading in progress share it (it began after they arrived)
            c = counts;
            if (younger(c, maxAge)) {
                return c;
            }
            c = read();
            return c;
        }
    }

    private Counts read() {
        Counts c = new Counts(fleet.summary(), clock.instant());
        counts = c;
        return c;
    }

    private void refreshInBackground() {
        if (!refreshing.compareAndSet(false, true)) {
            return;
        }
        Thread thread = new Thread(() -> {
            try {
                synchronized (this) {
                    if (!younger(counts, maxAge)) {
                        read();
                    }
                }
            } catch (RuntimeException e) {
                log.warn("Could not read the fleet summary's device counts again ({}); answering the reading of {} until it"
                        + " is older than {} s, then requests read it themselves. Check the database.", e.getMessage(),
                        counts == null ? "-" : counts.asOf(), maxStale.toSeconds());
            } finally {
                refreshing.set(false);
            }
        }, "fleet-summary-refresh");
        thread.setDaemon(true);
        thread.start();
    }

    private boolean younger(Counts c, Duration age) {
        if (c == null || age.isZero()) {
            return false;
        }
        Instant now = clock.instant();
        return !now.isBefore(c.asOf()) && now.isBefore(c.asOf().plus(age));
    }

    private void summary(Context ctx) {
        Counts counts = counts();
        FleetQueries.FleetSummary summary = counts.summary();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("asOf", counts.asOf().toString());
        body.put("total", summary.total());
        body.put("byConnectivity", summary.byConnectivity());
        body.put("byContentSync", summary.byContentSync());
        body.put("byGroup", summary.byGroup());
        body.put("byGroupContentSync", summary.byGroupContentSync());
        body.put("byAgentVersion", summary.byAgentVersion());
        Map<String, Object> delivery = new LinkedHashMap<>();
        delivery.put("quarantinedMessages", fleet.quarantinedMessages());
        delivery.putAll(brokerFigures.get());
        body.put("delivery", delivery);
        ctx.json(body);
    }
}
