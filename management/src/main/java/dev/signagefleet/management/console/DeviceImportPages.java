package dev.signagefleet.management.console;

import dev.signagefleet.common.csv.SpreadsheetSafeCsv;
import dev.signagefleet.ingest.csv.ProblemReport;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.devices.DeviceImport;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.problem.ApiException;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registering many terminals at once from a CSV: every problem by line and column (nothing is
 * registered while there is one), then the credentials of all new terminals, shown once and
 * downloadable as a CSV for the people who set the terminals up.
 */
public final class DeviceImportPages implements Routes {

    private static final Logger log = LoggerFactory.getLogger(DeviceImportPages.class);

    private final Console console;
    private final DeviceRegistry registry;

    public DeviceImportPages(Console console, DeviceRegistry registry) {
        this.console = console;
        this.registry = registry;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/console/devices/import", this::form, Role.ADMIN);
        routes.post("/console/devices/import", this::importFile, Role.ADMIN);
    }

    private void form(Context ctx) {
        console.render(ctx, "device_import", console.page(ctx, "deviceImport.title", "devices"), Map.of());
    }

    private void importFile(Context ctx) throws IOException {
        UploadedFile file;
        try {
            file = ctx.uploadedFile("file");
        } catch (RuntimeException e) {
            throw new ApiException(400, "bad-multipart", "Unreadable upload", "The file could not be received: " + e.getMessage());
        }
        Page page = console.page(ctx, "deviceImport.title", "devices");
        if (file == null || file.filename() == null || file.filename().isBlank()) {
            ctx.status(HttpStatus.BAD_REQUEST);
            console.render(ctx, "device_import", page.withNotice(page.t("deviceImport.noFile")), Map.of());
            return;
        }
        byte[] bytes;
        try (InputStream in = file.content()) {
            bytes = in.readNBytes(DeviceImport.MAX_BYTES + 1);
        }
        DeviceImport.Checked checked = DeviceImport.check(bytes, registry);
        Map<String, Object> params = new HashMap<>();
        params.put("filename", file.filename());
        params.put("checked", checked);
        if (!checked.ok()) {
            StringWriter report = new StringWriter();
            ProblemReport.writeCsv(checked.problems(), report);
            params.put("errorsCsv", dataUri(report.toString()));
            ctx.status(HttpStatus.UNPROCESSABLE_CONTENT);
            console.render(ctx, "device_import_problems", page, params);
            return;
        }
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        List<String> taken = new ArrayList<>();
        List<DeviceImport.Imported> imported = DeviceImport.registerAll(registry, checked, "console:" + user.username(), taken);
        log.info("User '{}' registered {} devices from {}{}", user.username(), imported.size(), file.filename(),
                taken.isEmpty() ? "" : " (" + taken.size() + " were registered by someone else meanwhile: " + taken + ")");
        StringWriter credentials = new StringWriter();
        SpreadsheetSafeCsv csv = new SpreadsheetSafeCsv(credentials);
        csv.row(List.of("device_id", "group", "credential"));
        for (DeviceImport.Imported i : imported) {
            csv.row(List.of(i.row().deviceId(), i.row().group(), i.credential()));
        }
        csv.flush();
        params.put("imported", imported);
        params.put("taken", taken);
        params.put("credentialsCsv", dataUri(credentials.toString()));
        ctx.status(HttpStatus.CREATED);
        console.render(ctx, "device_import_done", page, params);
    }

    private static String dataUri(String csv) {
        return "data:text/csv;charset=utf-8;base64," + Base64.getEncoder().encodeToString(csv.getBytes(StandardCharsets.UTF_8));
    }
}
