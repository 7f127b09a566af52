package dev.signagefleet.benchmarks.queries;

import dev.signagefleet.benchmarks.Figures;
import dev.signagefleet.benchmarks.Scenario;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import dev.signagefleet.management.fleet.FleetRoutes;
import dev.signagefleet.telemetry.fleet.DeviceQuery;
import dev.signagefleet.telemetry.fleet.DeviceSort;
import dev.signagefleet.telemetry.fleet.FleetQueries;
import dev.signagefleet.testing.FreePorts;
import dev.signagefleet.testing.TempDirs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * Scenario 6: fleet queries over a seeded fleet (100,000 devices, a month of history) through the
 * HTTP API of a whole stack, with concurrent clients. Baselines in the same run: the same queries
 * through {@link FleetQueries} in this JVM (the SQL and mapping without HTTP and JSON), and
 * {@code /healthz} over HTTP (the fixed cost of a request: connection, Basic authentication, routing).
 */
public final class FleetQueriesBenchmark implements Scenario {

    private static final String ADMIN_PASSWORD = "bench-queries-admin";

    @Override
    public String id() {
        return "fleet-queries";
    }

    private record Sizes(int devices, int days, int everyHours, int hotDevices, int clients, int warmup, int iterations,
                         int devicesRequests, int summaryRequests, int historyRequests) {
    }

    /** One operator question, asked over HTTP and straight to {@link FleetQueries}. */
    private record Variant(String name, String path, Callable<?> direct) {
    }

    @Override
    public Map<String, Object> run(Mode mode) throws Exception {
        Sizes s = mode == Mode.FULL
                ? new Sizes(100_000, 30, 6, 50, 4, 300, 3, 1500, 300, 300)
                : new Sizes(2_000, 3, 6, 5, 2, 20, 1, 60, 20, 20);
        Path dir = Files.createTempDirectory("bench-queries-");
        // A long heartbeat: no seeded device becomes due for the sweepers while the queries run.
        StackOptions options = new StackOptions(dir.resolve("stack"), "127.0.0.1", FreePorts.next(), FreePorts.next(),
                FreePorts.next(), 0, Duration.ofHours(2), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(ADMIN_PASSWORD), 1_000_000, false);
        Map<String, Object> result = new LinkedHashMap<>();
        try (Stack stack = Stack.start(options, Settings.of(Map.of()), Clock.systemUTC())) {
            long seedStart = System.nanoTime();
            long historyRows = FleetSeed.seed(stack.database().jdbi(), s.devices(), s.days(), s.everyHours(), s.hotDevices());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("devices", s.devices());
            data.put("historyRows", historyRows);
            data.put("historyDays", s.days());
            data.put("historyDensity", "every device one status per " + s.everyHours() + " h; " + s.hotDevices()
                    + " devices also at the real 30 s heartbeat for the last 48 h (2,880 statuses per 24 h)");
            data.put("groups", FleetSeed.GROUPS);
            data.put("seedSeconds", Figures.round((System.nanoTime() - seedStart) / 1e9));
            data.put("durableDatabase", false);
            result.put("data", data);
            System.out.printf("   seeded %d devices and %d history rows in %.0f s%n", s.devices(), historyRows,
                    (System.nanoTime() - seedStart) / 1e9);

            String base = "http://127.0.0.1:" + stack.httpPort();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            FleetQueries fleet = new FleetQueries(stack.database().jdbi());
            List<Variant> listVariants = List.of(
                    new Variant("all by id", "/api/devices?limit=100", () -> fleet.list(query(null, null, null, null, "deviceId"))),
                    new Variant("offline, last seen first", "/api/devices?connectivity=offline&sort=-lastSeen&limit=100",
                            () -> fleet.list(query(List.of("offline"), null, null, null, "-lastSeen"))),
                    new Variant("one group by last seen", "/api/devices?group=group-07&sort=-lastSeen&limit=100",
                            () -> fleet.list(query(null, null, "group-07", null, "-lastSeen"))),
                    new Variant("agent version, by group", "/api/devices?agentVersion=1.2.0&sort=group&limit=100",
                            () -> fleet.list(queryVersion("1.2.0", "group"))),
                    new Variant("out of sync", "/api/devices?contentSync=out_of_sync&limit=100",
                            () -> fleet.list(query(null, List.of("out_of_sync"), null, null, "deviceId"))),
                    new Variant("search", "/api/devices?q=Osaka%20store%2012&limit=100",
                            () -> fleet.list(query(null, null, null, "Osaka store 12", "deviceId"))));
            Instant now = Instant.now();
            Map<String, Object> kinds = new LinkedHashMap<>();
            kinds.put("healthz", measure(s, s.devicesRequests(), i -> get(http, base + "/healthz"), null));
            kinds.put("devices", measure(s, s.devicesRequests(),
                    i -> get(http, base + listVariants.get(i % listVariants.size()).path()),
                    i -> listVariants.get(i % listVariants.size()).direct()));
            Map<String, Object> perVariant = new LinkedHashMap<>();
            for (Variant v : listVariants) {
                perVariant.put(v.name() + " " + v.path(), measure(s, s.devicesRequests() / listVariants.size(),
                        i -> get(http, base + v.path()), i -> v.direct()));
            }
            kinds.put("devicesByVariant", perVariant);
            // The summary answers one shared reading (FleetRoutes): an HTTP iteration of 300 requests lasts less than
            // a reading is kept, so it would measure little but its first requests. Ten times as many requests span
            // several readings; the in-process baseline (every request one aggregate) keeps 300.
            Map<String, Object> summary = measure(s, s.summaryRequests() * 10, s.summaryRequests(),
                    i -> get(http, base + "/api/fleet/summary"), i -> fleet::summary);
            summary.put("afterQuietSpell", afterQuietSpell(http, base + "/api/fleet/summary", mode == Mode.FULL ? 5 : 1));
            kinds.put("summary", summary);
            kinds.put("history24h", measure(s, s.historyRequests(),
                    i -> get(http, base + "/api/devices/" + FleetSeed.deviceId(1 + i % s.hotDevices()) + "/history"),
                    i -> () -> {
                        Instant to = Instant.now();
                        FleetQueries.HistoryPage page = fleet.history(FleetSeed.deviceId(1 + i % s.hotDevices()),
                                to.minus(Duration.ofHours(24)), to, 5_000, null);
                        if (page.items().size() < 2_800) {
                            throw new IllegalStateException("a hot device's 24 h history has " + page.items().size()
                                    + " statuses, expected 2,880");
                        }
                        return page;
                    }));
            result.put("clients", s.clients());
            result.put("kinds", kinds);

            boolean full = mode == Mode.FULL;
            Map<String, Object> compared = new LinkedHashMap<>();
            for (String kind : List.of("devices", "summary", "history24h")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> k = (Map<String, Object>) kinds.get(kind);
                double p99 = ((Number) k.get("p99MsMedian")).doubleValue();
                double direct = ((Number) k.get("directP99MsMedian")).doubleValue();
                double limit = kind.equals("summary") ? 50 : 20;
                compared.put(kind, Figures.compared("ms p99 over HTTP (median of iterations); baseline: same query in-process",
                        p99, direct, "p99 ≤ " + (int) limit + " ms", full ? p99 <= limit : null));
            }
            result.put("compared", compared);
            result.put("measuredFrom", now.toString());
            return result;
        } finally {
            TempDirs.deleteQuietly(dir);
        }
    }

    private static DeviceQuery query(List<String> connectivity, List<String> sync, String group, String q, String sort) {
        return new DeviceQuery(connectivity == null ? List.of() : FleetQueries.connectivities(connectivity),
                sync == null ? List.of() : FleetQueries.contentSyncs(sync), group, null, null, q,
                DeviceSort.parseOrNull(sort), null, 100);
    }

    private static DeviceQuery queryVersion(String version, String sort) {
        return new DeviceQuery(List.of(), List.of(), null, version, null, null, DeviceSort.parseOrNull(sort), null, 100);
    }

    /**
     * One request at a time, each after {@code FleetRoutes.MAX_STALE} + 1 s without requests: what the first caller
     * after a quiet spell waits (the shared reading is too old to answer, so it reads the counts itself).
     */
    private static Map<String, Object> afterQuietSpell(HttpClient http, String url, int times) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            Thread.sleep(FleetRoutes.MAX_STALE.plusSeconds(1).toMillis());
            long t0 = System.nanoTime();
            get(http, url).call();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        return Map.of("quietSeconds", FleetRoutes.MAX_STALE.plusSeconds(1).toSeconds(), "ms", Figures.summary(ms));
    }

    private static Map<String, Object> measure(Sizes s, int requests, IntFunction<Callable<?>> overHttp,
                                               IntFunction<Callable<?>> direct) throws Exception {
        return measure(s, requests, requests, overHttp, direct);
    }

    /** Warm-up, then iterations over HTTP and (if given) in-process, alternating; p50/p99/max per iteration. */
    private static Map<String, Object> measure(Sizes s, int requests, int directRequests, IntFunction<Callable<?>> overHttp,
                                               IntFunction<Callable<?>> direct) throws Exception {
        Load.run(s.clients(), s.warmup(), overHttp);
        if (direct != null) {
            Load.run(s.clients(), s.warmup(), direct);
        }
        List<Map<String, Object>> rounds = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> p50 = new ArrayList<>();
        List<Double> max = new ArrayList<>();
        List<Double> rps = new ArrayList<>();
        List<Double> directP99 = new ArrayList<>();
        List<Double> directP50 = new ArrayList<>();
        for (int it = 0; it < s.iterations(); it++) {
            Load.Round round = Load.run(s.clients(), requests, overHttp);
            rounds.add(percentiles(round));
            p50.add(ms(round.histogram(), 50));
            p99.add(ms(round.histogram(), 99));
            max.add(round.histogram().getMaxValue() / 1000.0);
            rps.add(round.requestsPerSecond());
            if (direct != null) {
                Load.Round d = Load.run(s.clients(), directRequests, direct);
                directP50.add(ms(d.histogram(), 50));
                directP99.add(ms(d.histogram(), 99));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requestsPerIteration", requests);
        if (direct != null && directRequests != requests) {
            m.put("directRequestsPerIteration", directRequests);
        }
        m.put("p50Ms", Figures.summary(p50));
        m.put("p99Ms", Figures.summary(p99));
        m.put("maxMs", Figures.summary(max));
        m.put("requestsPerSecond", Figures.summary(rps));
        m.put("p99MsMedian", Figures.round(Figures.medianOf(p99)));
        if (direct != null) {
            m.put("directP50Ms", Figures.summary(directP50));
            m.put("directP99Ms", Figures.summary(directP99));
            m.put("directP99MsMedian", Figures.round(Figures.medianOf(directP99)));
        }
        m.put("iterations", rounds);
        return m;
    }

    private static Map<String, Object> percentiles(Load.Round round) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50Ms", ms(round.histogram(), 50));
        m.put("p90Ms", ms(round.histogram(), 90));
        m.put("p99Ms", ms(round.histogram(), 99));
        m.put("maxMs", Figures.round(round.histogram().getMaxValue() / 1000.0));
        m.put("requestsPerSecond", Figures.round(round.requestsPerSecond()));
        return m;
    }

    private static double ms(Histogram h, double percentile) {
        return Figures.round(h.getValueAtPercentile(percentile) / 1000.0);
    }

    private static Callable<?> get(HttpClient http, String url) {
        return () -> {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", AUTH)
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + url + " answered " + response.statusCode() + ": "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
            return response.body().length;
        };
    }

    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD)
            .getBytes(StandardCharsets.UTF_8));
}
