package dev.signagefleet.management.console;

import dev.signagefleet.ingest.upload.UploadQueries;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.telemetry.fleet.FleetQueries;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/** The fleet at a glance: connectivity and content counts (overall and by group), latest events and uploads, live. */
public final class DashboardPages implements Routes {

    private final Console console;
    private final FleetQueries fleet;
    private final UploadQueries uploads;

    public DashboardPages(Console console, FleetQueries fleet, UploadQueries uploads) {
        this.console = console;
        this.fleet = fleet;
        this.uploads = uploads;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/console/", this::dashboard, Role.VIEWER);
        routes.sse("/console/live/dashboard", client -> {
            Page page = console.page(client.ctx(), "dashboard.title", "dashboard");
            console.watch(client, () -> console.templates().render("dashboard_live", model(page)));
        }, Role.VIEWER);
    }

    private void dashboard(Context ctx) {
        Page page = console.page(ctx, "dashboard.title", "dashboard");
        console.render(ctx, "dashboard", page, model(page));
    }

    private Map<String, Object> model(Page page) {
        return Map.of("page", page, "summary", fleet.summary(), "events", fleet.recentEvents(12),
                "uploads", uploads.list(null, 8), "now", console.clock().instant());
    }
}
