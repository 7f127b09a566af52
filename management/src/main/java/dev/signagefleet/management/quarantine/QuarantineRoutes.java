package dev.signagefleet.management.quarantine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.QueryParams;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.problem.ApiException;
import dev.signagefleet.telemetry.ingest.QuarantineReplay;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/quarantine}: telemetry the consumer set aside (malformed, or refused by the database),
 * and {@code /api/quarantine/replay}: put it back into the history once the cause is fixed (admin).
 */
public final class QuarantineRoutes implements Routes {

    private static final Logger log = LoggerFactory.getLogger(QuarantineRoutes.class);
    private static final int MAX_IDS = 1000;

    private final QuarantineReplay replay;

    public QuarantineRoutes(QuarantineReplay replay) {
        this.replay = replay;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/quarantine", this::list, Role.ADMIN);
        routes.post("/api/quarantine/replay", this::replay, Role.ADMIN);
    }

    private void list(Context ctx) {
        String deviceId = QueryParams.text(ctx, "deviceId", 64);
        boolean all = "true".equalsIgnoreCase(ctx.queryParam("all"));
        ctx.json(Map.of("items", replay.list(deviceId, all, QueryParams.integer(ctx, "limit", 100, 1, 1000))));
    }

    private void replay(Context ctx) {
        JsonNode body;
        try {
            byte[] bytes = ctx.bodyAsBytes();
            body = bytes.length == 0 ? Json.mapper().createObjectNode() : Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw new ApiException(400, "invalid-json", "Invalid JSON", "The request body is not valid JSON: " + e.getMessage());
        }
        if (body == null || !body.isObject()) {
            throw invalid("the body must be a JSON object such as {\"deviceId\": \"lobby-01\", \"dryRun\": true}");
        }
        List<Long> ids = new ArrayList<>();
        JsonNode idList = body.path("ids");
        if (!idList.isMissingNode() && !idList.isNull()) {
            if (!idList.isArray() || idList.size() > MAX_IDS) {
                throw invalid("ids must be a list of at most " + MAX_IDS + " quarantine ids");
            }
            for (JsonNode id : idList) {
                if (!id.canConvertToLong() || !id.isIntegralNumber()) {
                    throw invalid("ids must be whole numbers, found " + id);
                }
                ids.add(id.asLong());
            }
        }
        String deviceId = text(body, "deviceId");
        Instant since = null;
        String sinceText = text(body, "since");
        if (sinceText != null) {
            try {
                since = Instant.parse(sinceText);
            } catch (DateTimeParseException e) {
                throw invalid("since must be an ISO-8601 instant such as 2026-11-24T09:00:00Z, was '" + sinceText + "'");
            }
        }
        JsonNode after = body.get("afterId");
        if (after != null && !after.isNull() && !(after.isIntegralNumber() && after.canConvertToLong())) {
            throw invalid("afterId must be a quarantine id (a whole number), found " + after);
        }
        Long afterId = after == null || after.isNull() ? null : after.asLong();
        JsonNode limitNode = body.get("limit");
        if (limitNode != null && !limitNode.isNull() && !limitNode.isIntegralNumber()) {
            throw invalid("limit must be a whole number, found " + limitNode);
        }
        int limit = limitNode == null || limitNode.isNull() ? 1000 : limitNode.asInt();
        if (limit < 1 || limit > QuarantineReplay.MAX_LIMIT) {
            throw invalid("limit must be between 1 and " + QuarantineReplay.MAX_LIMIT);
        }
        boolean dryRun = body.path("dryRun").asBoolean(false);
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        log.info("{} asked to replay quarantined telemetry (ids {}, device {}, since {}, after {}, limit {}{})", user.username(),
                ids.isEmpty() ? "any" : ids.size(), deviceId == null ? "any" : deviceId, since == null ? "any time" : since,
                afterId == null ? "-" : afterId, limit, dryRun ? ", dry run" : "");
        ctx.json(replay.replay(new QuarantineReplay.Request(ids, deviceId, since, afterId, limit, dryRun)));
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().length() > 64) {
            throw invalid(field + " must be a text of at most 64 characters");
        }
        return value.asText();
    }

    private static ApiException invalid(String detail) {
        return new ApiException(422, "invalid-replay-request", "Invalid replay request", detail);
    }
}
