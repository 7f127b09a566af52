package dev.signagefleet.management.ops;

import dev.signagefleet.management.http.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Health, readiness and Prometheus metrics; public so load balancers and scrapers need no account. */
public final class OpsRoutes implements Routes {

    /** A named condition that must hold for the stack to serve traffic. */
    public record ReadinessCheck(String name, BooleanSupplier ready) {
    }

    private final List<ReadinessCheck> checks;
    private final PrometheusMeterRegistry meters;

    public OpsRoutes(List<ReadinessCheck> checks, PrometheusMeterRegistry meters) {
        this.checks = List.copyOf(checks);
        this.meters = meters;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/healthz", ctx -> ctx.json(Map.of("status", "up")));
        routes.get("/readyz", this::ready);
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(meters.scrape()));
    }

    private void ready(Context ctx) {
        Map<String, Object> body = readiness(checks);
        ctx.status("ready".equals(body.get("status")) ? 200 : 503).json(body);
    }

    /**
     * Runs the checks: {@code {"status": "ready" | "not ready", "checks": {name: "up" | "down"}}}. Also
     * served by the services that have no HTTP API of their own.
     */
    public static Map<String, Object> readiness(List<ReadinessCheck> checks) {
        Map<String, String> results = new LinkedHashMap<>();
        boolean all = true;
        for (ReadinessCheck check : checks) {
            boolean ok;
            try {
                ok = check.ready().getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            results.put(check.name(), ok ? "up" : "down");
            all &= ok;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", all ? "ready" : "not ready");
        body.put("checks", results);
        return body;
    }
}
