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
import java.util.function.Supplier;

/**
 * {@code /api/fleet/summary}: counts by connectivity, group and agent version, and delivery health.
 * The device counts read every device, so they are computed at most once per {@link #MAX_AGE} and shared
 * by the requests in between ({@code asOf} in the answer says when they were read); the delivery figures
 * are read on every request.
 */
public final class FleetRoutes implements Routes {

    /** How old the device counts in an answer may be. */
    public static final Duration MAX_AGE = Duration.ofSeconds(1);

    private final FleetQueries fleet;
    private final Supplier<Map<String, Object>> brokerFigures;
    private final Clock clock;
    private final Duration maxAge;
    private volatile Counts counts;

    record Counts(FleetQueries.FleetSummary summary, Instant asOf) {
    }

    /**
     * @param brokerFigures what the broker reports about delivery (dropped messages), or an empty map
     */
    public FleetRoutes(FleetQueries fleet, Supplier<Map<String, Object>> brokerFigures) {
        this(fleet, brokerFigures, Clock.systemUTC(), MAX_AGE);
    }

    /**
     * @param maxAge how old the device counts in an answer may be ({@link Duration#ZERO}: read them for every request)
     */
    public FleetRoutes(FleetQueries fleet, Supplier<Map<String, Object>> brokerFigures, Clock clock, Duration maxAge) {
        this.fleet = fleet;
        this.brokerFigures = brokerFigures;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/fleet/summary", this::summary, Role.VIEWER);
    }

    /** The device counts, read again when the last reading is older than maxAge; one reading at a time. */
    Counts counts() {
        Counts c = counts;
        if (fresh(c)) {
            return c;
        }
        synchronized (this) {
            // requests that waited here for the reading in progress share it (it began after they arrived)
            c = counts;
            if (fresh(c)) {
                return c;
            }
            Instant asOf = clock.instant();
            c = new Counts(fleet.summary(), asOf);
            counts = c;
            return c;
        }
    }

    private boolean fresh(Counts c) {
        if (c == null || maxAge.isZero()) {
            return false;
        }
        Instant now = clock.instant();
        return !now.isBefore(c.asOf()) && now.isBefore(c.asOf().plus(maxAge));
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
