package dev.signagefleet.benchmarks.csv;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.benchmarks.Figures;
import dev.signagefleet.benchmarks.Scenario;
import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.db.Database;
import dev.signagefleet.common.db.DatabaseConfig;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.embedded.database.EmbeddedDatabase;
import dev.signagefleet.ingest.upload.UploadService;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.launcher.stack.StackOptions;
import dev.signagefleet.testing.FreePorts;
import dev.signagefleet.testing.TempDirs;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.PGConnection;

/**
 * Scenario 3: the CSV pipeline with 100k- and 1M-row files.
 * <ul>
 * <li>Ingest stage (parse + validate + COPY + commit, {@link UploadService} in this JVM) against its
 * baseline, a raw {@code COPY ... (FORMAT csv)} of the same file into an equivalent table
 * ({@code LIKE slides INCLUDING ALL}) in the same durable database, alternating.</li>
 * <li>Upload → DONE through the real HTTP API of a whole stack (durable database): POST the file,
 * poll the upload until DONE (packages built for every group and assignments published).</li>
 * <li>Memory: the most heap alive after a collection during each ingest, per file size.</li>
 * </ul>
 */
public final class CsvPipeline implements Scenario {

    private static final String ADMIN_PASSWORD = "bench-csv-admin";
    /**
     * The heap of the memory probe: enough for a 1M-row file with a repeated slide_id, whose second read remembers
     * every id. {@code -Dbench.csv.probeHeapMb=N} tries another (e.g. how small a heap a file still fits in).
     */
    private static final int PROBE_HEAP_MB = Integer.getInteger("bench.csv.probeHeapMb", 96);
    /**
     * {@code -Dbench.csv.memoryOnly=true} runs only the memory probes (a few minutes instead of nine): 100k rows,
     * 1M rows and 1M rows with one slide_id repeated far apart, one child JVM each. Its result has no
     * {@code compared} section.
     */
    static final String MEMORY_ONLY = "bench.csv.memoryOnly";

    @Override
    public String id() {
        return "csv-pipeline";
    }

    private record Size(int rows, int groups, int warmups, int iterations, int endToEnd) {
    }

    /**
     * {@code -Dbench.csv.uploadToDone=ROWS:GROUPS:UPLOADS} (e.g. {@code 1000000:100:2}) runs only the upload → DONE
     * part, for that one size: quicker while working on the pipeline. Its result has no {@code compared} section and
     * is not one to publish.
     */
    static final String UPLOAD_TO_DONE_ONLY = "bench.csv.uploadToDone";

    @Override
    public Map<String, Object> run(Mode mode) throws Exception {
        String only = System.getProperty(UPLOAD_TO_DONE_ONLY);
        if (only != null) {
            return uploadToDoneOnly(only);
        }
        List<Size> sizes = mode == Mode.FULL
                ? List.of(new Size(100_000, 20, 2, 5, 3), new Size(1_000_000, 100, 1, 3, 3))
                : List.of(new Size(2_000, 4, 0, 1, 1));
        if (Boolean.getBoolean(MEMORY_ONLY)) {
            return memoryOnly(sizes);
        }
        Path dir = Files.createTempDirectory("bench-csv-");
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            Map<Integer, Path> files = new LinkedHashMap<>();
            for (Size size : sizes) {
                files.put(size.rows(), SlideFiles.write(dir, size.rows(), size.groups(), 0));
            }
            Map<String, Object> ingest;
            Map<String, Object> endToEnd;
            // One durable PostgreSQL: the ingest stage and its baseline in one database, the stack in another.
            try (EmbeddedDatabase postgres = EmbeddedDatabase.start(dir.resolve("postgres"), 0, true)) {
                ingest = ingestAgainstCopy(postgres, sizes, files);
                endToEnd = uploadToDone(postgres, dir, sizes);
            }
            result.put("ingest", ingest);
            result.put("uploadToDone", endToEnd);

            Map<String, Object> compared = new LinkedHashMap<>();
            boolean full = mode == Mode.FULL;
            for (Size size : sizes) {
                @SuppressWarnings("unchecked")
                Map<String, Object> s = (Map<String, Object>) ingest.get(Integer.toString(size.rows()));
                double rate = ((Number) s.get("ingestRowsPerSecMedian")).doubleValue();
                double copy = ((Number) s.get("copyRowsPerSecMedian")).doubleValue();
                compared.put("ingest" + size.rows(), Figures.compared("rows/s (median)", rate, copy,
                        "≥ 0.5 × COPY", full ? rate >= 0.5 * copy : null));
            }
            Size largest = sizes.get(sizes.size() - 1);
            @SuppressWarnings("unchecked")
            Map<String, Object> e2e = (Map<String, Object>) endToEnd.get(Integer.toString(largest.rows()));
            double doneMs = ((Number) e2e.get("uploadToDoneMsMedian")).doubleValue();
            @SuppressWarnings("unchecked")
            Map<String, Object> largestIngest = (Map<String, Object>) ingest.get(Integer.toString(largest.rows()));
            double copyMs = largest.rows() / ((Number) largestIngest.get("copyRowsPerSecMedian")).doubleValue() * 1000;
            compared.put("uploadToDone" + largest.rows(), Figures.compared("ms (median)", doneMs, copyMs,
                    "≤ 10,000 ms for 1M rows", full ? doneMs <= 10_000 : null));
            if (sizes.size() > 1) {
                @SuppressWarnings("unchecked")
                Map<String, Object> small = (Map<String, Object>) ingest.get(Integer.toString(sizes.get(0).rows()));
                double smallHeap = ((Number) small.get("maxLiveHeapMb")).doubleValue();
                double bigHeap = ((Number) largestIngest.get("maxLiveHeapMb")).doubleValue();
                compared.put("memory", Figures.compared("MB heap alive after GC (" + PROBE_HEAP_MB + " MB heap, Serial GC), "
                        + largest.rows() + " rows vs " + sizes.get(0).rows(), bigHeap, smallHeap,
                        "flat in file size (largest ≤ 1.25 × smallest)", full ? bigHeap <= 1.25 * smallHeap : null));
            }
            result.put("compared", compared);
            return result;
        } finally {
            TempDirs.deleteQuietly(dir);
        }
    }

    private Map<String, Object> memoryOnly(List<Size> sizes) throws Exception {
        Path dir = Files.createTempDirectory("bench-csv-");
        try (EmbeddedDatabase postgres = EmbeddedDatabase.start(dir.resolve("postgres"), 0, true)) {
            try (Database database = Database.connect(new DatabaseConfig(postgres.jdbcUrl(), postgres.user(), new Secret(""), 2))) {
                database.migrate();
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("only", MEMORY_ONLY + "=true");
            for (Size size : sizes) {
                Path file = SlideFiles.write(dir, size.rows(), size.groups(), 0);
                result.put(Integer.toString(size.rows()), memoryProbe(postgres, file, size.rows(), false));
                Files.delete(file);
            }
            Size largest = sizes.get(sizes.size() - 1);
            Path repeated = SlideFiles.writeWithOneRepeatedId(dir, largest.rows(), largest.groups());
            result.put(largest.rows() + "WithOneRepeatedId", memoryProbe(postgres, repeated, largest.rows(), true));
            return result;
        } finally {
            TempDirs.deleteQuietly(dir);
        }
    }

    private Map<String, Object> uploadToDoneOnly(String spec) throws Exception {
        String[] f = spec.split(":");
        if (f.length != 3) {
            throw new IllegalArgumentException(UPLOAD_TO_DONE_ONLY + " must be ROWS:GROUPS:UPLOADS, e.g. 1000000:100:2, not " + spec);
        }
        Size size = new Size(Integer.parseInt(f[0]), Integer.parseInt(f[1]), 0, 0, Integer.parseInt(f[2]));
        Path dir = Files.createTempDirectory("bench-csv-");
        try (EmbeddedDatabase postgres = EmbeddedDatabase.start(dir.resolve("postgres"), 0, true)) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("only", UPLOAD_TO_DONE_ONLY + "=" + spec);
            result.put("uploadToDone", uploadToDone(postgres, dir, List.of(size)));
            return result;
        } finally {
            TempDirs.deleteQuietly(dir);
        }
    }

    /** The ingest stage and the COPY baseline, alternating, on one durable database without the rest of the pipeline. */
    private Map<String, Object> ingestAgainstCopy(EmbeddedDatabase postgres, List<Size> sizes, Map<Integer, Path> files)
            throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        try (Database database = Database.connect(new DatabaseConfig(postgres.jdbcUrl(), postgres.user(), new Secret(""), 4))) {
            database.migrate();
            database.jdbi().useHandle(h -> {
                h.execute("CREATE TABLE copy_baseline (LIKE slides INCLUDING ALL)");
                // the columns the file does not have get what csv-ingest would put there
                h.execute("ALTER TABLE copy_baseline ALTER COLUMN upload_id SET DEFAULT gen_random_uuid()");
                h.execute("CREATE SEQUENCE copy_baseline_line");
                h.execute("ALTER TABLE copy_baseline ALTER COLUMN line SET DEFAULT nextval('copy_baseline_line')");
            });
            UploadService uploads = new UploadService(database.jdbi(), Clock.systemUTC(), ZoneId.of("Asia/Tokyo"));
            for (Size size : sizes) {
                Path file = files.get(size.rows());
                List<Double> ingestMs = new ArrayList<>();
                List<Double> copyMs = new ArrayList<>();
                for (int i = 0; i < size.warmups() + size.iterations(); i++) {
                    boolean measured = i >= size.warmups();
                    clean(database);
                    double[] ingest = ingestOnce(uploads, file, size.rows());
                    clean(database);
                    double copy = copyOnce(database, file, size.rows());
                    if (measured) {
                        ingestMs.add(ingest[0]);
                        copyMs.add(copy);
                    }
                    System.out.printf("   csv %d rows: ingest %.0f ms, COPY %.0f ms%s%n", size.rows(),
                            ingest[0], copy, measured ? "" : " (warm-up)");
                }
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("rows", size.rows());
                s.put("fileBytes", Files.size(file));
                s.put("warmups", size.warmups());
                s.put("ingestMs", Figures.summary(ingestMs));
                s.put("copyMs", Figures.summary(copyMs));
                s.put("ingestRowsPerSecMedian", Figures.round(size.rows() / (Figures.medianOf(ingestMs) / 1000)));
                s.put("copyRowsPerSecMedian", Figures.round(size.rows() / (Figures.medianOf(copyMs) / 1000)));
                s.put("ingestToCopyRatio", Figures.round(Figures.medianOf(copyMs) / Figures.medianOf(ingestMs)));
                clean(database);
                s.putAll(memoryProbe(postgres, file, size.rows(), false));
                if (size == sizes.get(sizes.size() - 1)) {
                    Path repeated = SlideFiles.writeWithOneRepeatedId(file.getParent(), size.rows(), size.groups());
                    s.put("withOneRepeatedId", memoryProbe(postgres, repeated, size.rows(), true));
                    Files.delete(repeated);
                }
                out.put(Integer.toString(size.rows()), s);
            }
        }
        return out;
    }

    private static void clean(Database database) {
        database.jdbi().useHandle(h -> {
            h.execute("TRUNCATE uploads, copy_baseline, outbox CASCADE");
            h.execute("CHECKPOINT");
        });
    }

    /** @return {ms} */
    private static double[] ingestOnce(UploadService uploads, Path file, int rows) throws Exception {
        // a file, as the HTTP API passes its spooled body (a stream would also be copied for a possible second read)
        long start = System.nanoTime();
        UploadService.Outcome outcome = uploads.upload(file, file.getFileName().toString(), Optional.empty(), false,
                "benchmark", null);
        double ms = (System.nanoTime() - start) / 1e6;
        if (!(outcome instanceof UploadService.Outcome.Accepted accepted) || accepted.existing()) {
            throw new IllegalStateException("the benchmark file was not accepted as a new upload: " + outcome);
        }
        if (accepted.upload().rows() != rows) {
            throw new IllegalStateException("the upload stored " + accepted.upload().rows() + " of " + rows + " rows");
        }
        return new double[] {ms};
    }

    private static double copyOnce(Database database, Path file, int rows) throws Exception {
        try (Connection c = database.dataSource().getConnection(); InputStream in = Files.newInputStream(file)) {
            c.setAutoCommit(false);
            long start = System.nanoTime();
            long copied = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY copy_baseline (slide_id, title, body, "
                    + "image_url, duration_sec, start_at, end_at, target_group, priority) FROM STDIN (FORMAT csv, HEADER true)", in);
            c.commit();
            double ms = (System.nanoTime() - start) / 1e6;
            if (copied != rows) {
                throw new IllegalStateException("COPY stored " + copied + " of " + rows + " rows");
            }
            return ms;
        }
    }

    /**
     * Heap and RSS of a child JVM with a small fixed heap that ingests the file once (see {@link IngestMemoryProbe});
     * {@code repeatedId}: the file has one repeated slide_id and must be rejected for it.
     */
    private static Map<String, Object> memoryProbe(EmbeddedDatabase postgres, Path file, int rows, boolean repeatedId)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + PROBE_HEAP_MB + "m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                IngestMemoryProbe.class.getName(), postgres.jdbcUrl(), postgres.user(), file.toString(), Integer.toString(rows)));
        if (repeatedId) {
            command.add(IngestMemoryProbe.REPEATED_ID);
        }
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("ingesting " + rows + " rows with a " + PROBE_HEAP_MB + " MB heap failed (exit "
                    + p.exitValue() + "): " + out);
        }
        String[] f = out.substring(out.lastIndexOf('\n') + 1).split(" ");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("probeHeapLimitMb", PROBE_HEAP_MB);
        m.put("maxLiveHeapMb", Double.parseDouble(f[0]));
        m.put("probePeakRssMb", Double.parseDouble(f[1]));
        m.put("probeIngestMs", Double.parseDouble(f[2]));
        return m;
    }

    /** Upload → DONE through the HTTP API of a whole stack on a durable database. */
    private Map<String, Object> uploadToDone(EmbeddedDatabase postgres, Path dir, List<Size> sizes) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        StackOptions options = new StackOptions(dir.resolve("stack"), "127.0.0.1", FreePorts.next(), FreePorts.next(),
                FreePorts.next(), 0, Duration.ofSeconds(30), Optional.of(postgres.createDatabase("stack")), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of(ADMIN_PASSWORD), 1_000_000, true);
        HttpClient http = HttpClient.newHttpClient();
        Settings env = Settings.of(Map.of("SIGNAGE_MAX_UPLOAD_BYTES", Long.toString(1L << 30),
                "SIGNAGE_POSTGRES_USER", postgres.user()));
        try (Stack stack = Stack.start(options, env, Clock.systemUTC())) {
            String base = "http://127.0.0.1:" + stack.httpPort();
            int variant = 1;
            for (Size size : sizes) {
                List<Double> acceptedMs = new ArrayList<>();
                List<Double> doneMs = new ArrayList<>();
                for (int i = 0; i < size.endToEnd(); i++) {
                    Path file = SlideFiles.write(dir, size.rows(), size.groups(), variant++);
                    long start = System.nanoTime();
                    HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/uploads?filename="
                                    + file.getFileName())).header("Authorization", auth()).header("Content-Type", "text/csv")
                            .POST(HttpRequest.BodyPublishers.ofFile(file)).timeout(Duration.ofMinutes(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    long acceptedAt = System.nanoTime();
                    if (accepted.statusCode() != 202) {
                        throw new IllegalStateException("upload of " + size.rows() + " rows answered " + accepted.statusCode()
                                + ": " + accepted.body());
                    }
                    JsonNode body = Json.mapper().readTree(accepted.body());
                    if (body.get("rows").asLong() != size.rows()) {
                        throw new IllegalStateException("upload stored " + body.get("rows") + " of " + size.rows() + " rows");
                    }
                    String uploadId = body.get("uploadId").asText();
                    String status;
                    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                    do {
                        Thread.sleep(50);
                        status = get(http, base + "/api/uploads/" + uploadId).get("status").asText();
                    } while (!status.equals("DONE") && !status.equals("FAILED") && System.nanoTime() < deadline);
                    long doneAt = System.nanoTime();
                    if (!status.equals("DONE")) {
                        throw new IllegalStateException("upload " + uploadId + " of " + size.rows() + " rows ended " + status
                                + " instead of DONE");
                    }
                    Files.delete(file);
                    checkBuilt(stack, uploadId, size);
                    acceptedMs.add((acceptedAt - start) / 1e6);
                    doneMs.add((doneAt - start) / 1e6);
                    System.out.printf("   csv %d rows over HTTP: accepted after %.0f ms, DONE after %.0f ms%n", size.rows(),
                            (acceptedAt - start) / 1e6, (doneAt - start) / 1e6);
                }
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("rows", size.rows());
                s.put("groups", size.groups());
                s.put("acceptedMs", Figures.summary(acceptedMs));
                s.put("uploadToDoneMs", Figures.summary(doneMs));
                s.put("uploadToDoneMsMedian", Figures.round(Figures.medianOf(doneMs)));
                out.put(Integer.toString(size.rows()), s);
            }
        }
        return out;
    }

    /** Every group got a version from this upload, and together they hold every row exactly once. */
    private static void checkBuilt(Stack stack, String uploadId, Size size) {
        long[] built = stack.database().jdbi().withHandle(h -> h.createQuery("""
                        SELECT count(DISTINCT group_name) AS groups, coalesce(sum(slide_count), 0) AS slides
                        FROM content_builds WHERE upload_id = CAST(:u AS uuid)
                        """).bind("u", uploadId)
                .map((rs, ctx) -> new long[] {rs.getLong("groups"), rs.getLong("slides")}).one());
        if (built[0] != size.groups() || built[1] != size.rows()) {
            throw new IllegalStateException("upload " + uploadId + " was built for " + built[0] + " of " + size.groups()
                    + " groups with " + built[1] + " of " + size.rows() + " slides");
        }
    }

    private static JsonNode get(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", auth()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return Json.mapper().readTree(response.body());
    }

    private static String auth() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
    }
}
