package dev.signagefleet.launcher.stack;

import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.db.Database;
import dev.signagefleet.management.ManagementServer;
import dev.signagefleet.management.alerts.AlertsConfig;
import dev.signagefleet.management.alerts.AlertsService;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleSessions;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.LoginThrottle;
import dev.signagefleet.management.console.AdminPages;
import dev.signagefleet.management.console.AlertPages;
import dev.signagefleet.management.console.Console;
import dev.signagefleet.management.console.ContentPages;
import dev.signagefleet.management.console.DashboardPages;
import dev.signagefleet.management.console.DeviceBulkPages;
import dev.signagefleet.management.console.DeviceImportPages;
import dev.signagefleet.management.console.DevicePages;
import dev.signagefleet.management.console.FlowPages;
import dev.signagefleet.management.console.SignInPages;
import dev.signagefleet.management.console.StagedUploads;
import dev.signagefleet.management.console.UploadPages;
import dev.signagefleet.management.contents.ContentRoutes;
import dev.signagefleet.management.deadletters.DeadLetterRoutes;
import dev.signagefleet.management.devices.DeviceGroupRoutes;
import dev.signagefleet.management.devices.DeviceRoutes;
import dev.signagefleet.management.fleet.FleetRoutes;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.ops.OpsRoutes;
import dev.signagefleet.management.quarantine.QuarantineRoutes;
import dev.signagefleet.management.uploads.UploadRoutes;
import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.telemetry.ingest.QuarantineReplay;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management service: the HTTP API, the console and the alerts, on top of the database and the
 * pipeline's read side. The same in the whole stack ({@link Stack}) and as its own process
 * ({@code signage service management}).
 */
public final class ManagementApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ManagementApp.class);

    /** What the management service is built from. */
    public record Inputs(Settings env, String bindAddress, int httpPort, Database database, DeviceRegistry registry,
                         ConsoleUsers users, Pipeline pipeline, QuarantineReplay quarantine,
                         List<OpsRoutes.ReadinessCheck> readiness, Supplier<Map<String, Object>> brokerFigures,
                         Function<DeviceRegistry.Registration, Map<String, Object>> connectionInfo,
                         PrometheusMeterRegistry meters, Clock clock) {
    }

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private ManagementServer http;

    private ManagementApp() {
    }

    public static ManagementApp start(Inputs in) {
        ManagementApp app = new ManagementApp();
        try {
            app.startAll(in);
            return app;
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
    }

    private void startAll(Inputs in) {
        Settings env = in.env();
        Pipeline pipeline = in.pipeline();
        FleetQueries fleet = new FleetQueries(in.database().jdbi());
        LoginThrottle throttle = new LoginThrottle(in.clock());
        long maxUploadBytes = env.longValue("SIGNAGE_MAX_UPLOAD_BYTES", ManagementServer.Options.DEFAULT_MAX_UPLOAD_BYTES,
                1024, 10L * 1024 * 1024 * 1024);
        ConsoleSessions sessions = new ConsoleSessions(in.database().jdbi(), in.clock());
        AuthGate gate = new AuthGate(in.users(), throttle, sessions);
        Console console = new Console(gate, env.optional("SIGNAGE_CONSOLE_TIMEZONE").map(ZoneId::of).orElse(ZoneId.systemDefault()),
                in.clock());
        List<Routes> routes = new ArrayList<>(List.of(
                new DeviceRoutes(fleet, in.registry(), in.clock(), in.connectionInfo()),
                new DeviceGroupRoutes(in.registry(), pipeline.deviceCommands),
                new FleetRoutes(fleet, in.brokerFigures()),
                new UploadRoutes(pipeline.uploads, pipeline.uploadQueries, maxUploadBytes),
                new ContentRoutes(pipeline.catalog, in.registry(), in.users(), throttle),
                new DeadLetterRoutes(pipeline.deadLetters),
                new QuarantineRoutes(in.quarantine()),
                new OpsRoutes(in.readiness(), in.meters())));
        AlertsService alerts = new AlertsService(in.database().jdbi(), in.clock(), AlertsConfig.from(env));
        started.push(alerts);
        StagedUploads staged = new StagedUploads(in.clock());
        started.push(staged);
        routes.addAll(List.of(
                new SignInPages(console, env.bool("SIGNAGE_SECURE_COOKIES", false)),
                new DashboardPages(console, fleet, pipeline.uploadQueries),
                // Before DevicePages: /console/devices/import must not be taken for a device id.
                new DeviceImportPages(console, in.registry()),
                new DeviceBulkPages(console, in.registry(), pipeline.deviceCommands),
                new DevicePages(console, fleet, in.registry(), in.connectionInfo()),
                new UploadPages(console, pipeline.uploads, pipeline.uploadQueries, staged, maxUploadBytes),
                new AdminPages(console, pipeline.deadLetters, in.users(), sessions),
                new ContentPages(console, pipeline.catalog, in.database().jdbi()),
                new FlowPages(console, in.database().jdbi()),
                new AlertPages(console, alerts.alerts())));
        http = ManagementServer.start(new ManagementServer.Options(in.bindAddress(), in.httpPort(), maxUploadBytes),
                gate, routes, console.problemPage());
        started.push(http);
        // Stopped before the HTTP server: live streams need their responses to end cleanly.
        started.push(console.live());
    }

    public ManagementServer http() {
        return http;
    }

    /** Stops the live streams, the HTTP server, the staged uploads and the alerts, in that order. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                log.warn("Stopping part of the management service failed: {}", e.toString());
            }
        }
    }
}
