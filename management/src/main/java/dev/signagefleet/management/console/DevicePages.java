package dev.signagefleet.management.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.devices.DeviceRegistration;
import dev.signagefleet.management.devices.DeviceRoutes;
import dev.signagefleet.management.http.QueryParams;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.problem.ApiException;
import dev.signagefleet.telemetry.fleet.DevicePage;
import dev.signagefleet.telemetry.fleet.DeviceSort;
import dev.signagefleet.telemetry.fleet.DeviceView;
import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.telemetry.fleet.InvalidQueryException;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices in the console: the filterable list, one device with its live state, history charts
 * and events, registering a device and rotating its credential (admins). Every question goes to the
 * same services as {@code /api/devices}.
 */
public final class DevicePages implements Routes {

    private static final Logger log = LoggerFactory.getLogger(DevicePages.class);
    static final int PAGE_SIZE = 50;
    static final int EVENTS = 20;
    /** The API's own page size for history; a chart pages through several. */
    private static final int HISTORY_PAGE = 5_000;
    /** Seven days of 30-second heartbeats fit; a faster heartbeat shows the start of the range and says so. */
    static final int MAX_HISTORY_POINTS = 25_000;
    /** The fields of the registration form, in the words {@code NewDevice.problems} starts its messages with. */
    private static final List<String> FORM_FIELDS = List.of("deviceId", "group", "name", "location");

    private final Console console;
    private final FleetQueries fleet;
    private final DeviceRegistry registry;
    private final Function<DeviceRegistry.Registration, Map<String, Object>> connectionInfo;

    /**
     * @param connectionInfo what a device needs to connect (broker URL, agent config text), shown with a new credential
     */
    public DevicePages(Console console, FleetQueries fleet, DeviceRegistry registry,
                       Function<DeviceRegistry.Registration, Map<String, Object>> connectionInfo) {
        this.console = console;
        this.fleet = fleet;
        this.registry = registry;
        this.connectionInfo = connectionInfo;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/console/devices", this::list, Role.VIEWER);
        routes.get("/console/devices/new", this::form, Role.ADMIN);
        routes.post("/console/devices", this::create, Role.ADMIN);
        routes.get("/console/devices/{id}", this::detail, Role.VIEWER);
        routes.post("/console/devices/{id}/credential", this::rotate, Role.ADMIN);
        routes.sse("/console/live/devices/{id}", client -> {
            String id = client.ctx().pathParam("id");
            if (fleet.device(id).isEmpty()) {
                client.close();
                return;
            }
            Page page = console.page(client.ctx(), "device.title", "devices");
            console.watch(client, () -> console.templates().render("device_live", liveModel(page, id)));
        }, Role.VIEWER);
    }

    // --- the list ---

    /** The list's filters as the request gave them, to show them again and to carry them to other pages and the CSV. */
    public record Filters(List<String> connectivity, List<String> contentSync, String group, String agentVersion,
                          String contentVersion, String q, String sort) {

        static Filters of(Context ctx) {
            return new Filters(values(ctx, "connectivity"), values(ctx, "contentSync"), ctx.queryParam("group"),
                    ctx.queryParam("agentVersion"), ctx.queryParam("contentVersion"), ctx.queryParam("q"), ctx.queryParam("sort"));
        }

        private static List<String> values(Context ctx, String name) {
            List<String> values = new ArrayList<>();
            for (String value : ctx.queryParams(name)) {
                for (String part : value.split(",")) {
                    if (!part.isBlank()) {
                        values.add(part.trim());
                    }
                }
            }
            return values;
        }

        /** The order chosen, or the default one. */
        public String sortValue() {
            return sort == null || sort.isBlank() ? DeviceSort.DEFAULT.apiValue() : sort;
        }

        /** The filters and order as a query string (URL-encoded, without the page cursor); empty when none is set. */
        public String queryString() {
            List<String> pairs = new ArrayList<>();
            connectivity.forEach(v -> pairs.add("connectivity=" + Page.url(v)));
            contentSync.forEach(v -> pairs.add("contentSync=" + Page.url(v)));
            Map<String, String> texts = new LinkedHashMap<>();
            texts.put("group", group);
            texts.put("agentVersion", agentVersion);
            texts.put("contentVersion", contentVersion);
            texts.put("q", q);
            texts.put("sort", sort);
            texts.forEach((name, value) -> {
                if (value != null && !value.isBlank()) {
                    pairs.add(name + "=" + Page.url(value));
                }
            });
            return String.join("&", pairs);
        }
    }

    /** One entry of the sort menu. */
    public record SortOption(String value, String column, boolean descending) {
    }

    private void list(Context ctx) {
        Page page = console.page(ctx, "devices.title", "devices");
        Filters filters = Filters.of(ctx);
        String cursor = null;
        DevicePage devices = new DevicePage(List.of(), null);
        String error = null;
        try {
            cursor = QueryParams.text(ctx, "cursor", 1000);
            devices = fleet.list(DeviceRoutes.query(ctx, PAGE_SIZE, cursor));
        } catch (ApiException | InvalidQueryException e) {
            // A hand-edited or outdated link: show what is wrong next to the filters, keep the page usable.
            error = e.getMessage();
            ctx.status(HttpStatus.BAD_REQUEST);
        }
        String query = filters.queryString();
        String withQuery = query.isEmpty() ? "" : "?" + query;
        Map<String, Object> params = new HashMap<>();
        params.put("filters", filters);
        params.put("sorts", sortOptions());
        params.put("devices", devices.items());
        params.put("error", error);
        params.put("firstHref", cursor == null ? null : "/console/devices" + withQuery);
        params.put("nextHref", devices.nextCursor() == null ? null
                : "/console/devices?" + (query.isEmpty() ? "" : query + "&") + "cursor=" + Page.url(devices.nextCursor()));
        params.put("csvHref", "/api/devices.csv" + withQuery);
        // Two small DISTINCT queries, not the whole fleet summary, on every page of the table.
        params.put("groups", fleet.groupNames());
        params.put("agentVersions", fleet.agentVersions());
        params.put("now", console.clock().instant());
        console.render(ctx, "devices", page, params);
    }

    private static List<SortOption> sortOptions() {
        List<SortOption> options = new ArrayList<>();
        for (DeviceSort.Key key : DeviceSort.Key.values()) {
            for (boolean descending : new boolean[] {false, true}) {
                options.add(new SortOption(new DeviceSort(key, descending).apiValue(), key.apiName(), descending));
            }
        }
        return options;
    }

    // --- one device ---

    /** The history ranges a device page offers. */
    public enum Range {
        HOUR("1h", Duration.ofHours(1)),
        DAY("24h", Duration.ofHours(24)),
        WEEK("7d", Duration.ofDays(7));

        private final String value;
        private final Duration duration;

        Range(String value, Duration duration) {
            this.value = value;
            this.duration = duration;
        }

        public String value() {
            return value;
        }

        static Range parse(String value) {
            if (value == null || value.isBlank()) {
                return DAY;
            }
            for (Range r : values()) {
                if (r.value.equals(value)) {
                    return r;
                }
            }
            throw ApiException.badRequest("range", "range must be 1h, 24h or 7d, was '" + value + "'");
        }
    }

    /** One history chart: its id (for the page), its caption and its SVG. */
    public record Chart(String id, String title, String svg) {
    }

    /**
     * @param truncated the range holds more statuses than {@link #MAX_HISTORY_POINTS}; only the first are drawn
     */
    private record History(List<FleetQueries.HistoryPoint> points, boolean truncated) {
    }

    private void detail(Context ctx) {
        String id = ctx.pathParam("id");
        DeviceView device = fleet.device(id).orElseThrow(() -> ApiException.notFound("Device", id));
        Range range = Range.parse(ctx.queryParam("range"));
        Page base = console.page(ctx, "device.title", "devices");
        Page page = new Page(base.t("device.heading", id), base.active(), base.user(), base.csrf(), base.m(), base.zone(),
                base.notice(), base.here());
        Instant to = console.clock().instant();
        Instant from = to.minus(range.duration);
        History history = history(id, from, to);
        Map<String, Object> params = new HashMap<>(liveModel(page, device));
        params.put("registered", registry.find(id).orElse(null));
        params.put("range", range);
        params.put("ranges", List.of(Range.values()));
        params.put("charts", charts(page, history.points(), from, to));
        params.put("truncated", history.truncated());
        params.put("shownUntil", history.points().isEmpty() ? null : history.points().get(history.points().size() - 1).sentAt());
        console.render(ctx, "device", page, params);
    }

    private Map<String, Object> liveModel(Page page, String id) {
        return liveModel(page, fleet.device(id).orElseThrow(() -> ApiException.notFound("Device", id)));
    }

    private Map<String, Object> liveModel(Page page, DeviceView device) {
        return Map.of("page", page, "device", device, "events", fleet.events(device.deviceId(), EVENTS),
                "now", console.clock().instant());
    }

    private History history(String id, Instant from, Instant to) {
        List<FleetQueries.HistoryPoint> points = new ArrayList<>();
        String cursor = null;
        do {
            FleetQueries.HistoryPage page = fleet.history(id, from, to, HISTORY_PAGE, cursor);
            points.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor != null && points.size() < MAX_HISTORY_POINTS);
        return new History(points, cursor != null);
    }

    private static List<Chart> charts(Page page, List<FleetQueries.HistoryPoint> history, Instant from, Instant to) {
        return List.of(
                chart(page, "cpu", "device.chart.cpu", history, p -> p.cpuLoad() == null ? null : p.cpuLoad() * 100, from, to),
                chart(page, "memory", "device.chart.memory", history,
                        p -> p.memUsedMb() == null ? null : p.memUsedMb().doubleValue(), from, to),
                chart(page, "temperature", "device.chart.temperature", history, FleetQueries.HistoryPoint::temperatureC, from, to),
                chart(page, "disk", "device.chart.disk", history,
                        p -> p.diskFreeMb() == null ? null : p.diskFreeMb().doubleValue(), from, to));
    }

    private static Chart chart(Page page, String id, String titleKey, List<FleetQueries.HistoryPoint> history,
                               Function<FleetQueries.HistoryPoint, Double> measure, Instant from, Instant to) {
        List<SvgChart.Point> points = new ArrayList<>();
        for (FleetQueries.HistoryPoint p : history) {
            Double value = measure.apply(p);
            if (value != null && Double.isFinite(value)) {
                points.add(new SvgChart.Point(p.sentAt(), value));
            }
        }
        String title = page.t(titleKey);
        return new Chart(id, title, SvgChart.render(points, from, to, page.zone(), title, page.t("device.chart.noData")));
    }

    // --- credentials ---

    private void rotate(Context ctx) {
        String id = ctx.pathParam("id");
        String credential = registry.rotateCredential(id).orElseThrow(() -> ApiException.notFound("Device", id));
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        log.info("Credential of device {} rotated in the console by {}", id, user.username());
        DeviceRegistry.Registration registration = new DeviceRegistry.Registration(registry.find(id).orElseThrow(), credential);
        showCredential(ctx, registration, true);
    }

    /** The one time a credential is shown: not by redirect, since nothing keeps it to show it again. */
    private void showCredential(Context ctx, DeviceRegistry.Registration registration, boolean rotated) {
        String id = registration.device().deviceId();
        Page base = console.page(ctx, rotated ? "device.credential.title" : "device.registered.title", "devices");
        Map<String, Object> info = connectionInfo.apply(registration);
        String agentConfig = info.get("agentConfig") instanceof String text ? text : null;
        Map<String, Object> params = new HashMap<>();
        params.put("deviceId", id);
        params.put("credential", registration.credential());
        params.put("rotated", rotated);
        params.put("agentConfig", agentConfig);
        params.put("downloadHref", agentConfig == null ? null : "data:text/plain;charset=utf-8,"
                // URLEncoder writes spaces as '+', which a data: URL would keep as a plus sign.
                + URLEncoder.encode(agentConfig, StandardCharsets.UTF_8).replace("+", "%20"));
        params.put("mqttUrl", info.get("mqtt") instanceof Map<?, ?> mqtt && mqtt.get("url") != null ? mqtt.get("url").toString() : null);
        console.render(ctx, "device_credential", base, params);
    }

    // --- registration ---

    /** What was typed into the registration form, to show it again with the problems. */
    public record RegistrationForm(String deviceId, String group, String name, String location) {

        static final RegistrationForm EMPTY = new RegistrationForm(null, null, null, null);
    }

    private void form(Context ctx) {
        showForm(ctx, RegistrationForm.EMPTY, Map.of(), List.of(), null);
    }

    private void create(Context ctx) {
        RegistrationForm form = new RegistrationForm(ctx.formParam("deviceId"), ctx.formParam("group"), ctx.formParam("name"),
                ctx.formParam("location"));
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        DeviceRegistration.Outcome outcome = DeviceRegistration.register(registry, form.deviceId(), form.group(), form.name(),
                form.location(), "console:" + user.username());
        Messages m = Messages.forRequest(ctx);
        if (outcome instanceof DeviceRegistration.Outcome.Invalid invalid) {
            Map<String, String> errors = new HashMap<>();
            List<String> other = new ArrayList<>();
            for (String problem : invalid.problems()) {
                String field = FORM_FIELDS.stream().filter(f -> problem.startsWith(f + " ")).findFirst().orElse(null);
                if (field == null) {
                    other.add(problem);
                } else {
                    errors.put(field, m.t("device.new.invalid." + field));
                }
            }
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
            showForm(ctx, form, errors, other, null);
        } else if (outcome instanceof DeviceRegistration.Outcome.AlreadyRegistered exists) {
            ctx.status(HttpStatus.CONFLICT);
            showForm(ctx, form, Map.of("deviceId", m.t("device.new.exists", exists.deviceId())), List.of(), exists.deviceId());
        } else {
            ctx.status(HttpStatus.CREATED);
            showCredential(ctx, ((DeviceRegistration.Outcome.Registered) outcome).registration(), false);
        }
    }

    /**
     * @param errors   per field, in the user's language
     * @param other    problems that name no form field, as the rules word them
     * @param existing the id that is already registered (to link to its page), or null
     */
    private void showForm(Context ctx, RegistrationForm form, Map<String, String> errors, List<String> other, String existing) {
        Page page = console.page(ctx, "device.new.title", "devices");
        Map<String, Object> params = new HashMap<>();
        params.put("form", form);
        params.put("errors", errors);
        params.put("other", other);
        params.put("existing", existing);
        params.put("groups", fleet.groupNames());
        console.render(ctx, "device_new", page, params);
    }

    // --- formatting for the templates ---

    /** A value, or a dash when there is none. */
    public static String or(Object value) {
        return value == null || value.toString().isBlank() ? "–" : value.toString();
    }

    /** A load between 0 and 1 as a percentage. */
    public static String percent(Double fraction) {
        return fraction == null ? "–" : String.format(Locale.ROOT, "%.0f %%", fraction * 100);
    }

    public static String decimal(Double value, String unit) {
        return value == null ? "–" : String.format(Locale.ROOT, "%.1f %s", value, unit);
    }

    public static String whole(Long value, String unit) {
        return value == null ? "–" : String.format(Locale.ROOT, "%,d %s", value, unit);
    }

    /** An uptime such as {@code 3 d 04:05:06}. */
    public static String duration(Long seconds) {
        if (seconds == null) {
            return "–";
        }
        long s = Math.max(0, seconds);
        String clock = String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600 % 24, s / 60 % 60, s % 60);
        return s >= 86_400 ? (s / 86_400) + " d " + clock : clock;
    }

    /** The reason an event gives, or null. */
    public static String reason(JsonNode data) {
        JsonNode reason = data == null ? null : data.get("reason");
        return reason != null && reason.isTextual() && !reason.asText().isBlank() ? reason.asText() : null;
    }

    /** Events that mean something went wrong, drawn in red on the timeline. */
    public static boolean bad(String eventType) {
        return eventType.contains(".offline.") || eventType.contains(".stale.") || eventType.contains("out-of-sync");
    }
}
