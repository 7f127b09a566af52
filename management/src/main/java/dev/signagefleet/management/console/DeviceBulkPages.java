package dev.signagefleet.management.console;

import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.devices.DeviceCommands;
import dev.signagefleet.management.devices.DeviceMoves;
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
    static final String RETRY_CONTENT = "retry-content";
    static final String MOVE_TO_GROUP = "move-to-group";

    private final Console console;
    private final DeviceRegistry registry;
    private final DeviceCommands commands;
    private final DeviceMoves moves;

    /** What happened to one selected device. */
    public record Result(String deviceId, boolean done, String message) {
    }

    public DeviceBulkPages(Console console, DeviceRegistry registry, DeviceCommands commands) {
        this.console = console;
        this.registry = registry;
        this.commands = commands;
        this.moves = new DeviceMoves(registry, commands);
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/console/devices/bulk", this::apply, Role.ADMIN);
    }

    private void apply(Context ctx) {
        String action = ctx.formParam("action");
        String group = ctx.formParam("group") == null ? "" : ctx.formParam("group").strip();
        if (!RETRY_CONTENT.equals(action) && !MOVE_TO_GROUP.equals(action)) {
            throw ApiException.badRequest("action", "action must be " + RETRY_CONTENT + " or " + MOVE_TO_GROUP + ", was '" + action + "'");
        }
        if (MOVE_TO_GROUP.equals(action) && !DeviceRegistry.ID.matcher(group).matches()) {
            ctx.redirect("/console/devices?notice=groupRequired", io.javalin.http.HttpStatus.SEE_OTHER);
            return;
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
            results.add(MOVE_TO_GROUP.equals(action) ? move(id, group, page, "console:" + user.username()) : retry(id, page));
        }
        long done = results.stream().filter(Result::done).count();
        if (MOVE_TO_GROUP.equals(action)) {
            log.info("User '{}' moved {} of {} selected devices to group {}", user.username(), done, ids.size(), group);
        } else {
            log.info("User '{}' asked {} of {} selected devices to fetch their content again", user.username(), done, ids.size());
        }
        console.render(ctx, "device_bulk", page, Map.of("results", results, "done", done,
                "explain", page.t(MOVE_TO_GROUP.equals(action) ? "devices.bulk.moveExplain" : "devices.bulk.explain", group)));
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

    private Result move(String deviceId, String group, Page page, String by) {
        DeviceMoves.Outcome outcome = moves.move(deviceId, group, by);
        return switch (outcome.status()) {
            case MOVED -> new Result(deviceId, true, page.t("devices.bulk.moved", outcome.from().orElse("–"), group));
            case ALREADY_THERE -> new Result(deviceId, true, page.t("devices.bulk.alreadyThere", group));
            case NOT_TOLD -> new Result(deviceId, false, page.t("devices.bulk.moveNotTold", group, outcome.error().orElse("")));
            case UNKNOWN_DEVICE -> new Result(deviceId, false, page.t("devices.bulk.unknown"));
        };
    }
}
