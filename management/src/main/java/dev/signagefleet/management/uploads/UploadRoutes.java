package dev.signagefleet.management.uploads;

import dev.signagefleet.ingest.csv.CsvCharsets;
import dev.signagefleet.ingest.csv.Problem;
import dev.signagefleet.ingest.csv.ProblemReport;
import dev.signagefleet.ingest.csv.SlideCsvWriter;
import dev.signagefleet.ingest.upload.UploadQueries;
import dev.signagefleet.ingest.upload.UploadService;
import dev.signagefleet.ingest.upload.UploadView;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.QueryParams;
import dev.signagefleet.management.problem.ApiException;
import dev.signagefleet.management.http.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /api/uploads}: upload a slides CSV (multipart field {@code file}, or the CSV itself as the
 * body), check one without storing it ({@code dryRun=true}), follow an upload's journey, download
 * its error report; {@code /api/slides/{id}}: a stored slide.
 */
public final class UploadRoutes implements Routes {

    private final UploadService uploads;
    private final UploadQueries queries;
    private final long maxUploadBytes;

    public UploadRoutes(UploadService uploads, UploadQueries queries, long maxUploadBytes) {
        this.uploads = uploads;
        this.queries = queries;
        this.maxUploadBytes = maxUploadBytes;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/api/uploads", this::upload, Role.ADMIN);
        routes.get("/api/uploads", this::list, Role.VIEWER);
        routes.get("/api/uploads/{id}", this::one, Role.VIEWER);
        routes.get("/api/uploads/{id}/errors.csv", this::errors, Role.VIEWER);
        routes.get("/api/slides/{slideId}", this::slide, Role.VIEWER);
        routes.get("/api/slides.csv", this::slidesCsv, Role.VIEWER);
    }

    private void upload(Context ctx) throws IOException {
        boolean dryRun = "true".equalsIgnoreCase(param(ctx, "dryRun"));
        Optional<Charset> charset = charset(param(ctx, "charset"));
        String filename;
        InputStream content = null;
        java.nio.file.Path spooled = null;
        if (ctx.isMultipartFormData()) {
            UploadedFile file;
            try {
                file = ctx.uploadedFile("file");
            } catch (Exception e) { // Jetty's ServletException arrives unchecked through Kotlin
                throw tooLargeOr(e);
            }
            if (file == null) {
                throw ApiException.badRequest("file", "send the CSV in the multipart field 'file'");
            }
            if (file.size() > maxUploadBytes) {
                throw tooLarge();
            }
            filename = file.filename();
            content = file.content();
        } else {
            String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
            if (!type.startsWith("text/csv") && !type.startsWith("application/octet-stream") && !type.startsWith("text/plain")) {
                throw new ApiException(415, "unsupported-media-type", "Unsupported content type",
                        "send multipart/form-data with a 'file' field, or the CSV itself as text/csv");
            }
            filename = Optional.ofNullable(param(ctx, "filename")).orElse("upload.csv");
            spooled = spool(ctx);
        }
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        UploadService.Outcome outcome;
        try (InputStream in = content) {
            // a spooled body is read again from its file when the upload needs a second read (a repeated slide_id)
            outcome = spooled != null
                    ? uploads.upload(spooled, filename, charset, dryRun, user.username(), ctx.header("traceparent"))
                    : uploads.upload(in, filename, charset, dryRun, user.username(), ctx.header("traceparent"));
        } catch (UploadService.UploadReadException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof TooLarge) {
                    throw tooLarge();
                }
            }
            throw new ApiException(400, "incomplete-upload", "The upload could not be read", e.getMessage());
        } finally {
            deleteQuietly(spooled);
        }
        respond(ctx, outcome);
    }

    /**
     * Reads the whole body to a temporary file first (the caller deletes it), so a slow client never
     * holds a database connection and transaction open while its bytes trickle in.
     */
    private java.nio.file.Path spool(Context ctx) {
        java.nio.file.Path file = null;
        try {
            file = java.nio.file.Files.createTempFile("signage-upload-", ".csv");
            try (InputStream body = new Bounded(ctx.bodyInputStream(), maxUploadBytes)) {
                java.nio.file.Files.copy(body, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return file;
        } catch (TooLarge e) {
            deleteQuietly(file);
            throw tooLarge();
        } catch (IOException e) {
            deleteQuietly(file);
            throw new ApiException(400, "incomplete-upload", "The upload could not be read",
                    "the request body ended early or could not be stored for checking (" + e.getMessage() + "); send the file again");
        }
    }

    private static void deleteQuietly(java.nio.file.Path file) {
        if (file != null) {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file; the OS cleans its temp folder
            }
        }
    }

    private void respond(Context ctx, UploadService.Outcome outcome) {
        if (outcome instanceof UploadService.Outcome.Accepted accepted) {
            UploadView u = accepted.upload();
            Map<String, Object> body = summary(u);
            body.put("existing", accepted.existing());
            ctx.header("Location", "/api/uploads/" + u.uploadId()).status(accepted.existing() ? 200 : 202).json(body);
        } else if (outcome instanceof UploadService.Outcome.Rejected rejected) {
            UploadView u = rejected.upload();
            throw invalid(rejected.problems(), rejected.problemsOmitted(), u.charset())
                    .with("uploadId", u.uploadId())
                    .with("errorReport", "/api/uploads/" + u.uploadId() + "/errors.csv")
                    .with("existing", rejected.existing());
        } else {
            UploadService.Outcome.Checked checked = (UploadService.Outcome.Checked) outcome;
            if (!checked.result().ok()) {
                throw invalid(checked.result().problems(), checked.result().problemsOmitted(), checked.result().charset().name())
                        .with("dryRun", true);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("dryRun", true);
            body.put("valid", true);
            body.put("rows", checked.result().rows());
            body.put("charset", checked.result().charset().name());
            body.put("charsetDetected", checked.result().charsetDetected());
            body.put("warnings", checked.result().warnings());
            body.put("sha256", checked.sha256());
            ctx.json(body);
        }
    }

    private static ApiException invalid(List<Problem> problems, long omitted, String charset) {
        List<Map<String, Object>> errors = new ArrayList<>();
        for (Problem p : problems) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("line", p.line());
            e.put("column", p.column());
            e.put("code", p.code());
            e.put("message", p.message());
            errors.add(e);
        }
        long total = problems.size() + omitted;
        return new ApiException(422, "invalid-csv", "The file has problems",
                "The file has " + total + " problem(s); nothing was stored. Fix every line listed and upload again.")
                .with("errors", errors).with("errorsOmitted", omitted).with("charset", charset);
    }

    private void list(Context ctx) {
        int limit = QueryParams.integer(ctx, "limit", 50, 1, 500);
        Instant before = QueryParams.instant(ctx, "before", null);
        List<Map<String, Object>> items = queries.list(before, limit).stream().map(UploadRoutes::summary).toList();
        ctx.json(Map.of("items", items));
    }

    private void one(Context ctx) {
        UUID id = uploadId(ctx);
        UploadView u = queries.byId(id).orElseThrow(() -> ApiException.notFound("Upload", id.toString()));
        Map<String, Object> body = summary(u);
        UploadQueries.Adoption adoption = queries.adoption(id);
        body.put("terminals", Map.of("adopted", adoption.adopted(), "targets", adoption.targets(),
                "text", adoption.adopted() + " of " + adoption.targets()));
        body.put("timeline", queries.timeline(id));
        List<UploadQueries.StuckEvent> stuck = queries.deadLetters(u.correlationId());
        if (!stuck.isEmpty()) {
            // Without this, an upload whose event a queue gave up on would just sit in its status.
            List<Map<String, Object>> letters = new java.util.ArrayList<>();
            for (UploadQueries.StuckEvent e : stuck) {
                Map<String, Object> letter = new LinkedHashMap<>();
                letter.put("deadLetterId", e.deadLetterId());
                letter.put("queue", e.queue());
                letter.put("eventType", e.eventType());
                letter.put("reason", e.reason());
                letter.put("deadAt", e.deadAt());
                letter.put("redrive", "/api/dead-letters/" + e.deadLetterId() + "/redrive");
                letters.add(letter);
            }
            body.put("stuck", Map.of("message", "an event of this upload is in the dead letters: the upload cannot move on "
                    + "until it is redriven (after fixing the cause) or discarded", "deadLetters", letters));
        }
        if (u.problemCount() > 0) {
            body.put("errorReport", "/api/uploads/" + u.uploadId() + "/errors.csv");
        }
        ctx.json(body);
    }

    private void errors(Context ctx) throws IOException {
        UUID id = uploadId(ctx);
        queries.byId(id).orElseThrow(() -> ApiException.notFound("Upload", id.toString()));
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"upload-" + id + "-errors.csv\"");
        UploadView upload = queries.byId(id).orElseThrow();
        List<Problem> problems = queries.problems(id, 10_000);
        try (Writer out = new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8)) {
            ProblemReport.writeCsv(problems, Math.max(0, upload.problemCount() - problems.size()), out);
        }
    }

    private void slide(Context ctx) {
        String id = ctx.pathParam("slideId");
        ctx.json(queries.slide(id).orElseThrow(() -> ApiException.notFound("Slide", id)));
    }

    /**
     * The active slides in the upload format, so an admin can edit them in a spreadsheet and upload
     * them again; cells a spreadsheet would run as a formula are escaped with an apostrophe.
     */
    private void slidesCsv(Context ctx) throws IOException {
        String group = QueryParams.text(ctx, "group", 64);
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"" + (group != null && group.matches("[A-Za-z0-9_-]+") ? "slides-" + group : "slides") + ".csv\"");
        try (SlideCsvWriter csv = new SlideCsvWriter(new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8),
                uploads.fleetZone())) {
            queries.forEachActiveSlide(group, csv::write);
        }
    }

    private static Map<String, Object> summary(UploadView u) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("uploadId", u.uploadId());
        body.put("status", u.status());
        body.put("reason", u.reason());
        body.put("filename", u.filename());
        body.put("rows", u.rows());
        body.put("charset", u.charset());
        body.put("warnings", u.warnings());
        body.put("sizeBytes", u.sizeBytes());
        body.put("sha256", u.sha256());
        body.put("groups", u.groups());
        body.put("correlationId", u.correlationId());
        body.put("uploadedBy", u.uploadedBy());
        body.put("createdAt", u.createdAt());
        body.put("updatedAt", u.updatedAt());
        return body;
    }

    /** The upload id of the route's {@code {id}}; an id that is not a UUID is simply not found. */
    public static UUID uploadId(Context ctx) {
        try {
            return UUID.fromString(ctx.pathParam("id"));
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("Upload", ctx.pathParam("id"));
        }
    }

    private String param(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null && ctx.isMultipartFormData()) {
            try {
                value = ctx.formParam(name);
            } catch (Exception e) { // Jetty's ServletException arrives unchecked through Kotlin
                throw tooLargeOr(e);
            }
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** A charset the uploader chose: UTF-8 or a Shift_JIS spelling (read as Windows-31J); empty to detect it. */
    public static Optional<Charset> charset(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            // Every spelling of Shift_JIS means what Excel in Japan writes: Windows-31J.
            return Optional.of(CsvCharsets.forName(name));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("charset", "charset must be UTF-8 or Shift_JIS (Windows-31J), was '" + name + "'");
        }
    }

    private ApiException tooLarge() {
        return tooLarge(maxUploadBytes);
    }

    /** A file over the upload limit, as the API and the console answer it. */
    public static ApiException tooLarge(long maxUploadBytes) {
        return new ApiException(413, "upload-too-large", "Upload too large",
                "The file is larger than the limit of " + maxUploadBytes + " bytes (SIGNAGE_MAX_UPLOAD_BYTES); split it into several files");
    }

    private ApiException tooLargeOr(Exception e) {
        // Jetty says "max file size exceeded" some causes down (ServletException → BadMessageException → …)
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("exceed") || message.contains("too large")) {
                return tooLarge();
            }
        }
        return new ApiException(400, "bad-multipart", "Unreadable upload", "The multipart request could not be read: " + e.getMessage());
    }

    /** Read past the limit: the body is refused, whatever its announced length. */
    private static final class TooLarge extends IOException {
        TooLarge() {
            super("upload larger than the limit");
        }
    }

    /** Counts the body and stops it at the limit. */
    private static final class Bounded extends FilterInputStream {
        private final long limit;
        private long read;

        Bounded(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && ++read > limit) {
                throw new TooLarge();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                read += n;
                if (read > limit) {
                    throw new TooLarge();
                }
            }
            return n;
        }
    }
}
