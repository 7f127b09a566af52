package dev.signagefleet.management.devices;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.csv.SpreadsheetSafeCsv;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.QueryParams;
import dev.signagefleet.management.problem.ApiException;
import dev.signagefleet.telemetry.fleet.DevicePage;
import dev.signagefleet.telemetry.fleet.DeviceQuery;
import dev.signagefleet.telemetry.fleet.DeviceSort;
import dev.signagefleet.telemetry.fleet.DeviceView;
import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.telemetry.fleet.InvalidQueryException;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.management.http.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /api/devices}: list with filters, one device, its history and events, CSV export, registration. */
public final class DeviceRoutes implements Routes {

    private static final Logger log = LoggerFactory.getLogger(DeviceRoutes.class);
    private static final Duration MAX_HISTORY_RANGE = Duration.ofDays(31);

    private final FleetQueries fleet;
    private final DeviceRegistry registry;
    private final Clock clock;
    private final Function<DeviceRegistry.Registration, Map<String, Object>> connectionInfo;

    /**
     * @param connectionInfo what a new device needs to connect (broker URL, agent config), shown with its credential
     */
    public DeviceRoutes(FleetQueries fleet, DeviceRegistry registry, Clock clock,
                        Function<DeviceRegistry.Registration, Map<String, Object>> connectionInfo) {
        this.fleet = fleet;
        this.registry = registry;
        this.clock = clock;
        this.connectionInfo = connectionInfo;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/devices", this::list, Role.VIEWER);
        routes.get("/api/devices.csv", this::csv, Role.VIEWER);
        routes.post("/api/devices", this::create, Role.ADMIN);
        routes.get("/api/devices/{id}", this::one, Role.VIEWER);
        routes.get("/api/devices/{id}/history", this::history, Role.VIEWER);
        routes.get("/api/devices/{id}/events", this::events, Role.VIEWER);
        routes.post("/api/devices/{id}/credential", this::rotate, Role.ADMIN);
    }

    /**
     * The list filters, order and page of a request, as {@code /api/devices} and the console read them.
     *
     * @throws ApiException (400) naming the parameter that is not valid
     */
    public static DeviceQuery query(Context ctx, int limit, String cursor) {
        DeviceSort sort = DeviceSort.parseOrNull(ctx.queryParam("sort"));
        if (sort == null) {
            throw ApiException.badRequest("sort", "sort must be one of " + DeviceSort.allowed() + ", was '" + ctx.queryParam("sort") + "'");
        }
        try {
            return new DeviceQuery(FleetQueries.connectivities(ctx.queryParams("connectivity")),
                    FleetQueries.contentSyncs(ctx.queryParams("contentSync")),
                    QueryParams.text(ctx, "group", 64), QueryParams.text(ctx, "agentVersion", 64),
                    QueryParams.text(ctx, "contentVersion", 128), QueryParams.text(ctx, "q", 200),
                    sort, cursor, limit);
        } catch (InvalidQueryException e) {
            throw ApiException.badRequest(e.parameter(), e.getMessage());
        }
    }

    private void list(Context ctx) {
        int limit = QueryParams.integer(ctx, "limit", DeviceQuery.DEFAULT_LIMIT, 1, DeviceQuery.MAX_LIMIT);
        DevicePage page;
        try {
            page = fleet.list(query(ctx, limit, QueryParams.text(ctx, "cursor", 1000)));
        } catch (InvalidQueryException e) {
            throw ApiException.badRequest(e.parameter(), e.getMessage());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items());
        body.put("nextCursor", page.nextCursor());
        ctx.json(body);
    }

    private void one(Context ctx) {
        String id = ctx.pathParam("id");
        ctx.json(fleet.device(id).orElseThrow(() -> ApiException.notFound("Device", id)));
    }

    private void history(Context ctx) {
        String id = ctx.pathParam("id");
        Instant to = QueryParams.instant(ctx, "to", clock.instant());
        Instant from = QueryParams.instant(ctx, "from", to.minus(Duration.ofHours(24)));
        if (!from.isBefore(to)) {
            throw ApiException.badRequest("from", "from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_HISTORY_RANGE) > 0) {
            throw ApiException.badRequest("from", "the range may span at most 31 days; ask for several ranges");
        }
        int limit = QueryParams.integer(ctx, "limit", 5_000, 1, 10_000);
        FleetQueries.HistoryPage page;
        try {
            page = fleet.history(id, from, to, limit, QueryParams.text(ctx, "cursor", 1000));
        } catch (InvalidQueryException e) {
            throw ApiException.badRequest(e.parameter(), e.getMessage());
        }
        if (page.items().isEmpty()) {
            // no statuses in the range: an unknown device (404) or a quiet one (an empty page); statuses always have a device row
            fleet.device(id).orElseThrow(() -> ApiException.notFound("Device", id));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deviceId", id);
        body.put("from", from);
        body.put("to", to);
        body.put("items", page.items());
        body.put("nextCursor", page.nextCursor());
        ctx.json(body);
    }

    private void events(Context ctx) {
        String id = ctx.pathParam("id");
        fleet.device(id).orElseThrow(() -> ApiException.notFound("Device", id));
        int limit = QueryParams.integer(ctx, "limit", 100, 1, 1_000);
        ctx.json(Map.of("deviceId", id, "items", fleet.events(id, limit)));
    }

    private void create(Context ctx) {
        JsonNode body;
        try {
            body = Json.mapper().readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw new ApiException(400, "invalid-json", "Invalid JSON", "The request body is not valid JSON: " + e.getMessage());
        }
        if (body == null || !body.isObject()) {
            throw new ApiException(400, "invalid-json", "Invalid JSON", "The request body must be a JSON object");
        }
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        DeviceRegistration.Outcome outcome = DeviceRegistration.register(registry, field(body, "deviceId"), field(body, "group"),
                field(body, "name"), field(body, "location"), "api:" + user.username());
        if (outcome instanceof DeviceRegistration.Outcome.Invalid invalid) {
            throw new ApiException(422, "invalid-device", "Invalid device", String.join("; ", invalid.problems()))
                    .with("errors", invalid.problems());
        }
        if (outcome instanceof DeviceRegistration.Outcome.AlreadyRegistered exists) {
            throw new ApiException(409, "device-exists", "Device already registered", exists.message());
        }
        DeviceRegistry.Registration registration = ((DeviceRegistration.Outcome.Registered) outcome).registration();
        String deviceId = registration.device().deviceId();
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("device", registration.device());
        response.put("credential", registration.credential());
        response.put("credentialNote", "Shown only now; the server keeps only a hash. Rotate it if lost.");
        response.putAll(connectionInfo.apply(registration));
        ctx.status(201).header("Location", "/api/devices/" + deviceId).json(response);
    }

    private void rotate(Context ctx) {
        String id = ctx.pathParam("id");
        String credential = registry.rotateCredential(id).orElseThrow(() -> ApiException.notFound("Device", id));
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        log.info("Credential of device {} rotated by {}", id, user.username());
        DeviceRegistry.Registration registration = new DeviceRegistry.Registration(registry.find(id).orElseThrow(), credential);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("device", registration.device());
        response.put("credential", credential);
        response.putAll(connectionInfo.apply(registration));
        ctx.json(response);
    }

    private static String field(JsonNode body, String name) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ApiException(422, "invalid-device", "Invalid device", name + " must be a string");
        }
        return DeviceRegistration.optional(value.asText());
    }

    private void csv(Context ctx) throws IOException {
        DeviceQuery query = query(ctx, DeviceQuery.MAX_LIMIT, null);
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"devices.csv\"");
        Writer out = new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8);
        // A byte order mark, so Excel (in Japan too) reads the file as UTF-8.
        out.write('\uFEFF');
        try (SpreadsheetSafeCsv csv = new SpreadsheetSafeCsv(out)) {
            csv.row(List.of("deviceId", "group", "name", "location", "connectivity", "reason", "since", "lastSeenAt",
                    "agentVersion", "contentVersion", "contentSync", "expectedContent", "contentError", "ip", "os", "display", "cpuLoad",
                    "memUsedMb", "memTotalMb", "diskFreeMb", "temperatureC"));
            fleet.forEach(query, d -> csv.row(csvRow(d)));
        }
    }

    private static List<String> csvRow(DeviceView d) {
        DeviceView.LatestStatus s = d.latest();
        List<String> row = new ArrayList<>();
        row.add(d.deviceId());
        row.add(d.group());
        row.add(d.name());
        row.add(d.location());
        row.add(d.connectivity().state());
        row.add(d.connectivity().reason());
        row.add(str(d.connectivity().since()));
        row.add(str(d.connectivity().lastSeenAt()));
        row.add(s == null ? null : s.agentVersion());
        row.add(s == null ? null : s.contentVersion());
        row.add(d.content().sync());
        row.add(d.content().expected());
        row.add(d.content().error());
        row.add(s == null ? null : s.ip());
        row.add(s == null ? null : s.os());
        row.add(s == null ? null : s.display());
        row.add(s == null ? null : str(s.cpuLoad()));
        row.add(s == null ? null : str(s.memUsedMb()));
        row.add(s == null ? null : str(s.memTotalMb()));
        row.add(s == null ? null : str(s.diskFreeMb()));
        row.add(s == null ? null : str(s.temperatureC()));
        return row;
    }

    private static String str(Object value) {
        return value == null ? null : value.toString();
    }
}
