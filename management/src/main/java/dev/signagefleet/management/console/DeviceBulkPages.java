package dev.signagefleet.management.console;

import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.devices.DeviceCommands;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.problem.ApiException;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Actions on the devices selected in the table, each reported per device. Every action is
 * idempotent, so sending it twice (a double click, a retry after an error) does no harm.
 */
public final class DeviceBulkPages implements Routes {

    private static final Logger log = LoggerFactory.getLogger(DeviceBulkPages.class);
    /** One page of the device table at most, with room to spare. */
    static final int MAX_DEVICES = 500;

    private final Console console;
    private final DeviceRegistry registry;
    private final DeviceCommands commands;

    /** What happened to one selected device. */
    public record Result(String deviceId, boolean done, String message) {
    }

    public DeviceBulkPages(Console console, DeviceRegistry registry, DeviceCommands commands) {
        this.console = console;
        this.registry = registry;
        this.commands = commands;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/console/devices/bulk", this::apply, Role.ADMIN);
    }

    private void apply(Context ctx) {
        String action = ctx.formParam("action");
        if (!"retry-content".equals(action)) {
            throw ApiException.badRequest("action", "action must be retry-content, was '" + action + "'");
        }
        Set<String> ids = new LinkedHashSet<>(ctx.formParams("device"));
        Page page = console.page(ctx, "devices.bulk.title", "devices");
        if (ids.isEmpty()) {
            ctx.redirect("/console/devices?notice=nothingSelected", io.javalin.http.HttpStatus.SEE_OTHER);
            return;
        }
        if (ids.size() > MAX_DEVICES) {
            throw ApiException.badRequest("device", "at most " + MAX_DEVICES + " devices at once, got " + ids.size());
        }
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        List<Result> results = new ArrayList<>();
        for (String id : ids) {
            results.add(retry(id, page));
        }
        long done = results.stream().filter(Result::done).count();
        log.info("User '{}' asked {} of {} selected devices to fetch their content again", user.username(), done, ids.size());
        console.render(ctx, "device_bulk", page, Map.of("results", results, "done", done));
    }

    private Result retry(String deviceId, Page page) {
        if (!DeviceRegistry.ID.matcher(deviceId).matches() || registry.find(deviceId).isEmpty()) {
            return new Result(deviceId, false, page.t("devices.bulk.unknown"));
        }
        try {
            commands.retryContent(deviceId);
            return new Result(deviceId, true, page.t("devices.bulk.sent"));
        } catch (Exception e) {
            log.warn("Could not ask device {} to fetch its content again: {}", deviceId, e.getMessage());
            return new Result(deviceId, false, page.t("devices.bulk.failed", String.valueOf(e.getMessage())));
        }
    }
}
