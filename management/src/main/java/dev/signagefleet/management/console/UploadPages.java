package dev.signagefleet.management.console;

import com.opencsv.CSVReader;
import com.opencsv.exceptions.CsvException;
import dev.signagefleet.ingest.csv.Problem;
import dev.signagefleet.ingest.csv.ProblemReport;
import dev.signagefleet.ingest.upload.UploadQueries;
import dev.signagefleet.ingest.upload.UploadService;
import dev.signagefleet.ingest.upload.UploadView;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.problem.ApiException;
import dev.signagefleet.management.uploads.UploadRoutes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploading slides in the console: choose or drop a CSV, see what the system read (encoding, rows,
 * the first rows, every problem by line and column), confirm, then follow the upload's journey live
 * until the terminals show it. The checks are the upload service's own dry run.
 */
public final class UploadPages implements Routes {

    private static final Logger log = LoggerFactory.getLogger(UploadPages.class);
    static final int PREVIEW_ROWS = 10;
    private static final int PREVIEW_CELL_CHARS = 80;

    private final Console console;
    private final UploadService uploads;
    private final UploadQueries queries;
    private final StagedUploads staged;
    private final long maxUploadBytes;

    public UploadPages(Console console, UploadService uploads, UploadQueries queries, StagedUploads staged, long maxUploadBytes) {
        this.console = console;
        this.uploads = uploads;
        this.queries = queries;
        this.staged = staged;
        this.maxUploadBytes = maxUploadBytes;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/console/uploads", this::list, Role.VIEWER);
        routes.get("/console/uploads/new", this::form, Role.ADMIN);
        routes.post("/console/uploads/check", this::check, Role.ADMIN);
        routes.get("/console/uploads/staged/{token}/errors.csv", this::stagedErrors, Role.ADMIN);
        routes.post("/console/uploads/confirm", this::confirm, Role.ADMIN);
        routes.get("/console/uploads/{id}", this::journey, Role.VIEWER);
        routes.sse("/console/live/uploads/{id}", client -> {
            UUID id = UploadRoutes.uploadId(client.ctx());
            Page page = console.page(client.ctx(), "uploads.journey.title", "uploads");
            console.watch(client, () -> console.templates().render("upload_journey_live", journeyModel(page, id)));
        }, Role.VIEWER);
    }

    private void list(Context ctx) {
        Page page = console.page(ctx, "uploads.title", "uploads");
        console.render(ctx, "uploads", page, Map.of("uploads", queries.list(null, 100), "now", console.clock().instant()));
    }

    private void form(Context ctx) {
        Page page = console.page(ctx, "uploads.new.title", "uploads");
        console.render(ctx, "upload_new", page, Map.of("maxBytes", maxUploadBytes));
    }

    /** The dry run: stage the file, check it, show what was read. Nothing is stored yet. */
    private void check(Context ctx) throws IOException {
        UploadedFile file;
        try {
            file = ctx.uploadedFile("file");
        } catch (Exception e) { // Jetty's ServletException arrives unchecked through Kotlin
            throw new ApiException(413, "upload-too-large", "Upload too large or unreadable",
                    "The file could not be received (" + e.getMessage() + "); files up to " + maxUploadBytes + " bytes are accepted");
        }
        if (file == null || file.filename() == null || file.filename().isBlank()) {
            Page page = console.page(ctx, "uploads.new.title", "uploads");
            ctx.status(HttpStatus.BAD_REQUEST);
            console.render(ctx, "upload_new", page.withNotice(page.t("uploads.new.noFile")), Map.of("maxBytes", maxUploadBytes));
            return;
        }
        if (file.size() > maxUploadBytes) {
            throw UploadRoutes.tooLarge(maxUploadBytes);
        }
        String chosen = ctx.formParam("charset");
        Optional<Charset> charset = UploadRoutes.charset("auto".equals(chosen) ? null : chosen);
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        Path spooled;
        try (InputStream in = file.content()) {
            spooled = staged.spool(in);
        }
        UploadService.Outcome.Checked check;
        try {
            check = (UploadService.Outcome.Checked) uploads.upload(spooled, file.filename(), charset, true, user.username(), null);
        } catch (RuntimeException e) {
            StagedUploads.delete(spooled);
            throw e;
        }
        StagedUploads.Staged s = staged.keep(user.username(), file.filename(), charset, spooled, check);
        log.info("User '{}' checked {} in the console: {} rows, {} problem(s)", user.username(), file.filename(),
                check.result().rows(), check.result().problemCount());
        showCheck(ctx, s);
    }

    private void showCheck(Context ctx, StagedUploads.Staged s) throws IOException {
        Page page = console.page(ctx, "uploads.check.title", "uploads");
        Map<String, Object> params = new HashMap<>();
        params.put("staged", s);
        params.put("result", s.check().result());
        params.put("preview", preview(s.file(), s.check().result().charset()));
        if (!s.check().result().ok()) {
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
        }
        console.render(ctx, "upload_check", page, params);
    }

    private void stagedErrors(Context ctx) throws IOException {
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        StagedUploads.Staged s = staged.find(ctx.pathParam("token"), user.username())
                .orElseThrow(() -> new ApiException(404, "staged-upload-gone", "Checked file no longer kept",
                        "Checked files are kept for " + StagedUploads.KEEP.toMinutes() + " minutes; check the file again"));
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"" + safeName(s.filename()) + "-errors.csv\"");
        try (Writer out = new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8)) {
            ProblemReport.writeCsv(s.check().result().problems(), s.check().result().problemsOmitted(), out);
        }
    }

    /** The real upload of a checked file. */
    private void confirm(Context ctx) throws IOException {
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        StagedUploads.Staged s = staged.take(ctx.formParam("token"), user.username())
                .orElseThrow(() -> new ApiException(404, "staged-upload-gone", "Checked file no longer kept",
                        "This file was already uploaded (see Uploads), or checked more than "
                                + StagedUploads.KEEP.toMinutes() + " minutes ago; check the file again"));
        UploadService.Outcome outcome;
        try {
            outcome = uploads.upload(s.file(), s.filename(), s.charset(), false, user.username(), ctx.header("traceparent"));
        } finally {
            StagedUploads.delete(s.file());
        }
        UploadView upload = outcome instanceof UploadService.Outcome.Accepted a ? a.upload()
                : ((UploadService.Outcome.Rejected) outcome).upload();
        boolean existing = outcome instanceof UploadService.Outcome.Accepted a ? a.existing()
                : ((UploadService.Outcome.Rejected) outcome).existing();
        ctx.redirect("/console/uploads/" + upload.uploadId() + (existing ? "?notice=uploadExisting" : "?notice=uploadAccepted"),
                HttpStatus.SEE_OTHER);
    }

    private void journey(Context ctx) {
        UUID id = UploadRoutes.uploadId(ctx);
        Page page = console.page(ctx, "uploads.journey.title", "uploads");
        Map<String, Object> model = journeyModel(page, id);
        model.remove("page");
        console.render(ctx, "upload_journey", page, model);
    }

    private Map<String, Object> journeyModel(Page page, UUID id) {
        UploadView upload = queries.byId(id).orElseThrow(() -> ApiException.notFound("Upload", id.toString()));
        Map<String, Object> model = new HashMap<>();
        model.put("page", page);
        model.put("upload", upload);
        model.put("adoption", queries.adoption(id));
        model.put("timeline", queries.timeline(id));
        model.put("stuck", queries.deadLetters(upload.correlationId()));
        model.put("problems", upload.problemCount() > 0 ? queries.problems(id, 200) : List.<Problem>of());
        model.put("now", console.clock().instant());
        return model;
    }

    /** The first rows as the reader sees them, cut to a readable width. */
    static List<List<String>> preview(Path file, Charset charset) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        try (Reader reader = new InputStreamReader(Files.newInputStream(file), charset);
             CSVReader csv = new CSVReader(reader)) {
            String[] record;
            while (rows.size() <= PREVIEW_ROWS && (record = csv.readNext()) != null) {
                List<String> cells = new ArrayList<>();
                for (String cell : record) {
                    String c = rows.isEmpty() && cells.isEmpty() && cell.startsWith("\uFEFF") ? cell.substring(1) : cell;
                    cells.add(c.length() > PREVIEW_CELL_CHARS ? c.substring(0, PREVIEW_CELL_CHARS) + "…" : c);
                }
                rows.add(cells);
            }
        } catch (CsvException | RuntimeException e) {
            // The problems list says what is wrong; the preview just stops where reading stopped.
            log.debug("Preview stopped: {}", e.toString());
        }
        return rows;
    }

    private static String safeName(String filename) {
        String base = filename.replaceAll("(?i)\\.csv$", "");
        return base.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
