package dev.signagefleet.management.console;

import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.QueryParams;
import dev.signagefleet.management.http.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * The event flow: which service published which events and which consumers handled them, so the
 * choreography can be watched rather than guessed. A summary of the last hour (a diagram and a
 * table per publisher, type and consumer) and, live, the newest events with their delivery;
 * {@code ?correlation=} follows one upload (or one terminal) from end to end.
 */
public final class FlowPages implements Routes {

    static final Duration SUMMARY_WINDOW = Duration.ofHours(1);
    public static final int LATEST = 50;
    /** Expected consumers change only when the subscriptions do: look them up once a minute, not every refresh. */
    private static final Duration KNOWN_CONSUMERS_REFRESH = Duration.ofMinutes(1);

    private final Console console;
    private final FlowQueries queries;
    private volatile KnownConsumers known;

    private record KnownConsumers(Instant at, Map<String, Set<String>> byType) {
    }

    public FlowPages(Console console, Jdbi jdbi) {
        this.console = console;
        this.queries = new FlowQueries(jdbi);
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/console/flow", this::flow, Role.VIEWER);
        routes.sse("/console/live/flow", client -> {
            String correlation = correlation(client.ctx());
            Page page = console.page(client.ctx(), "flow.title", "flow");
            console.watch(client, () -> console.templates().render("flow_live", liveModel(page, correlation)));
        }, Role.VIEWER);
    }

    private void flow(Context ctx) {
        String correlation = correlation(ctx);
        Page page = console.page(ctx, "flow.title", "flow");
        Instant now = console.clock().instant();
        FlowQueries.Window window = correlation == null ? FlowQueries.Window.since(now.minus(SUMMARY_WINDOW))
                : FlowQueries.Window.correlation(correlation);
        var flows = queries.summary(window, now.minus(FlowQueries.KNOWN_CONSUMERS));
        Map<String, Object> model = liveModel(page, correlation);
        model.remove("page");
        model.put("flows", flows);
        model.put("diagram", FlowDiagram.render(flows, page));
        console.render(ctx, "flow", page, model);
    }

    private Map<String, Object> liveModel(Page page, String correlation) {
        Map<String, Object> model = new HashMap<>();
        model.put("page", page);
        model.put("correlation", correlation);
        model.put("events", queries.latest(correlation, LATEST, knownConsumers()));
        model.put("now", console.clock().instant());
        return model;
    }

    private Map<String, Set<String>> knownConsumers() {
        Instant now = console.clock().instant();
        KnownConsumers k = known;
        if (k == null || !now.isBefore(k.at().plus(KNOWN_CONSUMERS_REFRESH)) || now.isBefore(k.at())) {
            k = new KnownConsumers(now, queries.consumersByType(now.minus(FlowQueries.KNOWN_CONSUMERS)));
            known = k;
        }
        return k.byType();
    }

    private static String correlation(Context ctx) {
        return QueryParams.text(ctx, "correlation", 200);
    }

    /** A long id cut for a table cell ({@code upload-6f1c2a44…}); the cell's title and link keep it whole. */
    public static String abbreviate(String id) {
        return id.length() <= 24 ? id : id.substring(0, 15) + "…";
    }

    /** A delay as people read it: tenths of a second when short, whole seconds, then minutes. */
    public static String delay(Page page, Duration d) {
        long ms = Math.max(0, d.toMillis());
        if (ms < 10_000) {
            return page.t("flow.delay.seconds", String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0));
        }
        if (ms < 120_000) {
            return page.t("flow.delay.seconds", String.valueOf(ms / 1000));
        }
        return page.t("flow.delay.minutes", String.valueOf(ms / 60_000));
    }
}
