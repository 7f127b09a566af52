package dev.signagefleet.management.fleet;

import dev.signagefleet.management.auth.Role;
import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.management.http.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** {@code /api/fleet/summary}: counts by connectivity, group and agent version, and delivery health. */
public final class FleetRoutes implements Routes {

    private final FleetQueries fleet;
    private final Supplier<Map<String, Object>> brokerFigures;

    /**
     * @param brokerFigures what the broker reports about delivery (dropped messages), or an empty map
     */
    public FleetRoutes(FleetQueries fleet, Supplier<Map<String, Object>> brokerFigures) {
        this.fleet = fleet;
        this.brokerFigures = brokerFigures;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/fleet/summary", this::summary, Role.VIEWER);
    }

    private void summary(Context ctx) {
        FleetQueries.FleetSummary summary = fleet.summary();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", summary.total());
        body.put("byConnectivity", summary.byConnectivity());
        body.put("byContentSync", summary.byContentSync());
        body.put("byGroup", summary.byGroup());
        body.put("byGroupContentSync", summary.byGroupContentSync());
        body.put("byAgentVersion", summary.byAgentVersion());
        Map<String, Object> delivery = new LinkedHashMap<>();
        delivery.put("quarantinedMessages", summary.quarantinedMessages());
        delivery.putAll(brokerFigures.get());
        body.put("delivery", delivery);
        ctx.json(body);
    }
}
