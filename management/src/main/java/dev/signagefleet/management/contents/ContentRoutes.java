package dev.signagefleet.management.contents;

import dev.signagefleet.contentregistry.catalog.ContentCatalog;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.LoginThrottle;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.QueryParams;
import dev.signagefleet.management.problem.ApiException;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.management.http.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.security.BasicAuthCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/contents}: content versions per group and their manifests; {@code /content/...}: the
 * packages terminals download, with their own device credential (a terminal may fetch only its
 * group's packages; console users may fetch any).
 */
public final class ContentRoutes implements Routes {

    private static final Logger log = LoggerFactory.getLogger(ContentRoutes.class);
    private static final Pattern GROUP = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
    private static final Pattern VERSION = Pattern.compile("^(?:([A-Za-z0-9_-]{1,64})@)?([1-9][0-9]{0,17})$");

    private final ContentCatalog catalog;
    private final DeviceRegistry devices;
    private final ConsoleUsers users;
    private final LoginThrottle throttle;

    public ContentRoutes(ContentCatalog catalog, DeviceRegistry devices, ConsoleUsers users, LoginThrottle throttle) {
        this.catalog = catalog;
        this.devices = devices;
        this.users = users;
        this.throttle = throttle;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/contents", this::list, Role.VIEWER);
        routes.get("/api/contents/{group}/{version}", this::one, Role.VIEWER);
        // No route role: terminals authenticate with their device credential, checked below.
        routes.get("/content/{group}/{number}/package.zip", this::download);
    }

    private void list(Context ctx) {
        String group = QueryParams.text(ctx, "group", 64);
        if (group != null && !GROUP.matcher(group).matches()) {
            throw ApiException.badRequest("group", "group must be 1 to 64 letters, digits, '-' or '_'");
        }
        int limit = QueryParams.integer(ctx, "limit", 100, 1, 1000);
        ctx.json(Map.of("items", catalog.versions(group, limit)));
    }

    private void one(Context ctx) {
        String group = group(ctx);
        long number = number(ctx.pathParam("version"), group);
        ContentCatalog.ContentVersionView version = catalog.version(group, number)
                .orElseThrow(() -> ApiException.notFound("Content version", group + "@" + number));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", version);
        body.put("manifest", catalog.manifest(group, number).orElse(null));
        ctx.json(body);
    }

    private void download(Context ctx) throws IOException {
        String group = group(ctx);
        long number = number(ctx.pathParam("number"), group);
        authorize(ctx, group);
        Path file = catalog.packageFile(group, number)
                .orElseThrow(() -> ApiException.notFound("Content package", group + "@" + number));
        ctx.contentType("application/zip");
        ctx.header("Content-Length", String.valueOf(Files.size(file)));
        ctx.header("Cache-Control", "private, max-age=31536000, immutable");
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(ctx.outputStream());
        }
    }

    /** A terminal of the group (device credential) or any console user may download. */
    private void authorize(Context ctx, String group) {
        BasicAuthCredentials credentials;
        try {
            credentials = ctx.basicAuthCredentials();
        } catch (IllegalArgumentException e) {
            credentials = null;
        }
        if (credentials == null) {
            ctx.header("WWW-Authenticate", "Basic realm=\"signage-content\", charset=\"UTF-8\"");
            throw new ApiException(401, "unauthenticated", "Authentication required",
                    "Terminals download content with their device id and credential (HTTP Basic)");
        }
        String who = credentials.getUsername();
        if (throttle.retryAfter(who, ctx.ip()).isPresent()) {
            throw new ApiException(429, "too-many-failed-logins", "Too many failed logins", "Try again later");
        }
        Optional<DeviceRegistry.Device> device = devices.authenticate(who, credentials.getPassword());
        if (device.isPresent()) {
            if (!group.equals(device.get().group())) {
                log.warn("Device {} (group {}) asked for content of group {}: refused", who, device.get().group(), group);
                throw new ApiException(403, "forbidden", "Not this device's content",
                        "Device '" + who + "' belongs to group '" + device.get().group() + "', not '" + group + "'");
            }
            return;
        }
        if (users.authenticate(who, credentials.getPassword()).isPresent()) {
            return;
        }
        throttle.failed(who, ctx.ip());
        ctx.header("WWW-Authenticate", "Basic realm=\"signage-content\", charset=\"UTF-8\"");
        throw new ApiException(401, "unauthenticated", "Wrong credentials", "The credentials were not accepted");
    }

    /** The route's {@code {group}}; a name that is not a group's is simply not found. */
    public static String group(Context ctx) {
        String group = ctx.pathParam("group");
        if (!GROUP.matcher(group).matches()) {
            throw ApiException.notFound("Group", group);
        }
        return group;
    }

    private static long number(String value, String group) {
        Matcher m = VERSION.matcher(value);
        if (!m.matches() || (m.group(1) != null && !m.group(1).equals(group))) {
            throw ApiException.notFound("Content version", value);
        }
        return Long.parseLong(m.group(2));
    }
}
