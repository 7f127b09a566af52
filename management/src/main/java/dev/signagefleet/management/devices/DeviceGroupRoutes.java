package dev.signagefleet.management.devices;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.problem.ApiException;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code PUT /api/devices/{id}/group} with {@code {"group":"osaka"}}: moves a device to another
 * group (see {@link DeviceMoves}). Idempotent; answers what became of it.
 */
public final class DeviceGroupRoutes implements Routes {

    private final DeviceMoves moves;

    public DeviceGroupRoutes(DeviceRegistry registry, DeviceCommands commands) {
        this.moves = new DeviceMoves(registry, commands);
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.put("/api/devices/{id}/group", this::move, Role.ADMIN);
    }

    private void move(Context ctx) {
        String id = ctx.pathParam("id");
        JsonNode body;
        try {
            body = Json.mapper().readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw new ApiException(400, "invalid-json", "Invalid JSON", "The request body is not valid JSON: " + e.getMessage());
        }
        JsonNode group = body == null ? null : body.get("group");
        if (group == null || !group.isTextual() || !DeviceRegistry.ID.matcher(group.asText()).matches()) {
            throw new ApiException(422, "invalid-group", "Invalid group",
                    "The body must be {\"group\": \"...\"} with a group of 1 to 64 letters, digits, '-' or '_'");
        }
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        DeviceMoves.Outcome outcome = moves.move(id, group.asText(), "api:" + user.username());
        if (outcome.status() == DeviceMoves.Status.UNKNOWN_DEVICE) {
            throw ApiException.notFound("Device", id);
        }
        if (outcome.status() == DeviceMoves.Status.NOT_TOLD) {
            throw new ApiException(503, "terminal-not-told", "Terminal not told",
                    "Device " + id + " was not moved to group " + outcome.group() + ": the message telling its terminal did not go out ("
                            + outcome.error().orElse("") + "). Nothing changed; send the same request again.");
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("deviceId", id);
        response.put("group", outcome.group());
        response.put("previousGroup", outcome.from().orElse(null));
        response.put("moved", outcome.status() == DeviceMoves.Status.MOVED);
        ctx.json(response);
    }
}
