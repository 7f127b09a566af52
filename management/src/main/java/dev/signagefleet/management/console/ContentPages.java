package dev.signagefleet.management.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.contentregistry.catalog.ContentCatalog;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.contents.ContentRoutes;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.problem.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jdbi.v3.core.Jdbi;

/**
 * Content in the console: per group the current version, the older ones and which terminals show
 * which; per version its slides and a preview of the player page exactly as the package carries
 * it, run in a sandboxed frame (see {@link PreviewFiles} and {@link PreviewLinks}).
 */
public final class ContentPages implements Routes {

    /** Older versions listed per group; the API lists all of them. */
    public static final int VERSIONS_PER_GROUP = 20;
    private static final Pattern NUMBER = Pattern.compile("^[1-9][0-9]{0,17}$");
    private static final String POLICY = "Content-Security-Policy";

    // device_state belongs to the fleet domain; this page only counts what terminals report showing.
    private static final String TERMINALS = """
            SELECT d.group_name, s.content_version, count(*) AS terminals
            FROM devices d LEFT JOIN device_state s USING (device_id)
            WHERE d.group_name IS NOT NULL
            GROUP BY d.group_name, s.content_version
            """;
    private static final String CONTENT_GROUPS = "SELECT DISTINCT group_name FROM content_versions";

    private final Console console;
    private final ContentCatalog catalog;
    private final Jdbi jdbi;
    private final PreviewLinks links;

    public ContentPages(Console console, ContentCatalog catalog, Jdbi jdbi) {
        this.console = console;
        this.catalog = catalog;
        this.jdbi = jdbi;
        this.links = new PreviewLinks(console.clock());
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/console/contents", this::list, Role.VIEWER);
        routes.get("/console/contents/{group}/{number}", this::version, Role.VIEWER);
        routes.get("/console/contents/{group}/{number}/preview/<path>", this::preview, Role.VIEWER);
        // No role: the sandboxed player cannot send the session cookie; the signature stands in for it.
        routes.get("/console/contents/{group}/{number}/signed/{token}/<path>", this::signed);
    }

    /** A group's content and the terminals of the group by the version they show. */
    public record GroupContents(String group, List<ContentCatalog.ContentVersionView> versions, boolean more,
                                Map<String, Long> terminalsByVersion, long terminals, long none, long other) {

        public ContentCatalog.ContentVersionView current() {
            return versions.stream().filter(ContentCatalog.ContentVersionView::current).findFirst().orElse(null);
        }

        public long showing(ContentCatalog.ContentVersionView v) {
            return terminalsByVersion.getOrDefault(v.version(), 0L);
        }
    }

    /** A slide as the package's manifest lists it. */
    public record ManifestSlide(String slideId, String title, int durationSec, String startAt, String endAt, int priority,
                                String imageUrl) {

        static ManifestSlide of(JsonNode s) {
            return new ManifestSlide(text(s, "slideId"), text(s, "title"), s.path("durationSec").asInt(), text(s, "startAt"),
                    text(s, "endAt"), s.path("priority").asInt(), text(s, "imageUrl"));
        }

        public java.time.Instant start() {
            return instant(startAt);
        }

        public java.time.Instant end() {
            return instant(endAt);
        }

        private static java.time.Instant instant(String text) {
            try {
                return text == null ? null : java.time.Instant.parse(text);
            } catch (java.time.format.DateTimeParseException e) {
                // Only shown, never acted on: a time the page cannot read shows as a dash.
                return null;
            }
        }

        private static String text(JsonNode node, String field) {
            JsonNode v = node.get(field);
            return v == null || v.isNull() ? null : v.asText();
        }
    }

    private void list(Context ctx) {
        Page page = console.page(ctx, "contents.title", "contents");
        console.render(ctx, "contents", page, Map.of("groups", groups(), "now", console.clock().instant()));
    }

    private record Showing(String group, String version, long terminals) {
    }

    List<GroupContents> groups() {
        TreeSet<String> names = new TreeSet<>();
        List<Showing> showing = jdbi.withHandle(h -> {
            h.createQuery(CONTENT_GROUPS).mapTo(String.class).forEach(names::add);
            return h.createQuery(TERMINALS)
                    .map((rs, c) -> new Showing(rs.getString("group_name"), rs.getString("content_version"), rs.getLong("terminals")))
                    .list();
        });
        showing.forEach(s -> names.add(s.group()));
        List<GroupContents> groups = new ArrayList<>();
        for (String group : names) {
            List<ContentCatalog.ContentVersionView> versions = catalog.versions(group, VERSIONS_PER_GROUP + 1);
            boolean more = versions.size() > VERSIONS_PER_GROUP;
            versions = versions.subList(0, Math.min(versions.size(), VERSIONS_PER_GROUP));
            Map<String, Long> byVersion = new LinkedHashMap<>();
            long total = 0;
            long none = 0;
            for (Showing s : showing) {
                if (s.group().equals(group)) {
                    total += s.terminals();
                    if (s.version() == null) {
                        none += s.terminals();
                    } else {
                        byVersion.put(s.version(), s.terminals());
                    }
                }
            }
            long listed = versions.stream().mapToLong(v -> byVersion.getOrDefault(v.version(), 0L)).sum();
            groups.add(new GroupContents(group, versions, more, byVersion, total, none, total - none - listed));
        }
        return groups;
    }

    private void version(Context ctx) {
        String group = ContentRoutes.group(ctx);
        long number = number(ctx, group);
        ContentCatalog.ContentVersionView version = catalog.version(group, number)
                .orElseThrow(() -> ApiException.notFound("Content version", group + "@" + number));
        List<ManifestSlide> slides = new ArrayList<>();
        boolean packaged = catalog.packageFile(group, number).isPresent();
        if (packaged) {
            catalog.manifest(group, number).ifPresent(m -> m.path("slides").forEach(s -> slides.add(ManifestSlide.of(s))));
        }
        Page page = console.page(ctx, "contents.version.title", "contents");
        Map<String, Object> model = new HashMap<>();
        model.put("version", version);
        model.put("slides", slides);
        model.put("packaged", packaged);
        model.put("showing", showing(group, version.version()));
        model.put("previewUrl", "/console/contents/" + group + "/" + number + "/preview/index.html");
        console.render(ctx, "content_version", page, model);
    }

    private long showing(String group, String version) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT count(*) FROM devices d JOIN device_state s USING (device_id)
                        WHERE d.group_name = :g AND s.content_version = :v
                        """)
                .bind("g", group).bind("v", version).mapTo(Long.class).one());
    }

    /**
     * The signed-in way to a preview file: checks the name and the entry, then sends the browser to
     * the signed address of the same file, so the page's own relative requests work without a cookie.
     */
    private void preview(Context ctx) throws IOException {
        String group = ContentRoutes.group(ctx);
        long number = number(ctx, group);
        String entry = entry(ctx);
        try (ZipFile zip = open(group, number)) {
            find(zip, group, number, entry);
        }
        // Its own policy, so that the console's "frame-ancestors 'none'" does not stop the frame on its way.
        ctx.header(POLICY, PreviewFiles.policy(null));
        ctx.redirect("/console/contents/" + group + "/" + number + "/signed/" + links.token(group, number) + "/" + entry,
                HttpStatus.SEE_OTHER);
    }

    private void signed(Context ctx) throws IOException {
        String group = ContentRoutes.group(ctx);
        long number = number(ctx, group);
        if (!links.valid(group, number, ctx.pathParam("token"))) {
            throw new ApiException(403, "preview-link-expired", "Preview link expired",
                    "Preview links are valid for " + PreviewLinks.VALID.toMinutes() + " minutes; open the preview again from the console");
        }
        String entry = entry(ctx);
        try (ZipFile zip = open(group, number)) {
            ZipEntry found = find(zip, group, number, entry);
            String type = PreviewFiles.contentType(entry);
            ctx.contentType(type);
            if (PreviewFiles.isHtml(entry) && found.getSize() >= 0 && found.getSize() <= PreviewFiles.MAX_HASHED_HTML) {
                byte[] page;
                try (InputStream in = zip.getInputStream(found)) {
                    page = in.readAllBytes();
                }
                ctx.header(POLICY, PreviewFiles.policy(new String(page, StandardCharsets.UTF_8)));
                ctx.result(page);
                return;
            }
            ctx.header(POLICY, PreviewFiles.policy(null));
            // No Content-Length: Javalin may compress the stream, and a declared length would then be wrong.
            try (InputStream in = zip.getInputStream(found)) {
                in.transferTo(ctx.outputStream());
            }
        }
    }

    private ZipFile open(String group, long number) throws IOException {
        Path file = catalog.packageFile(group, number)
                .orElseThrow(() -> ApiException.notFound("Content package", group + "@" + number));
        return new ZipFile(file.toFile());
    }

    private static ZipEntry find(ZipFile zip, String group, long number, String entry) {
        ZipEntry found = zip.getEntry(entry);
        if (found == null || found.isDirectory()) {
            throw ApiException.notFound("File of content package " + group + "@" + number, entry);
        }
        return found;
    }

    private static String entry(Context ctx) {
        String path = ctx.pathParam("path");
        return PreviewFiles.entryName(path).orElseThrow(() -> ApiException.notFound("File of a content package", path));
    }

    private static long number(Context ctx, String group) {
        String number = ctx.pathParam("number");
        if (!NUMBER.matcher(number).matches()) {
            throw ApiException.notFound("Content version", group + "@" + number);
        }
        return Long.parseLong(number);
    }

    /** A size in bytes as people read it. */
    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }
}
