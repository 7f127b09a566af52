package dev.signagefleet.management.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.common.content.ContentPackages;
import dev.signagefleet.contentregistry.catalog.ContentCatalog;
import dev.signagefleet.management.ManagementServer;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleSessions;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.LoginThrottle;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import dev.signagefleet.telemetry.registry.NewDevice;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contents screen and the preview of a package's player page over real HTTP, against a real
 * PostgreSQL and a package laid out as content-builder writes it (with the builder's own player page).
 */
class ContentPreviewIT {

    private static Console console;

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static final String VIEWER_PASSWORD = "viewer password 1";
    /** The builder's player page, read from its module: the preview must run the page terminals run. */
    private static final Path PLAYER_PAGE = Path.of("../content-builder/src/main/resources/dev/signagefleet/builder/build/index.html");
    private static final UUID UPLOAD = UUID.fromString("6f1c2a44-0d7e-4c55-9a39-3f7e2f1b0a11");
    private static final MutableClock clock = MutableClock.startingNow();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static Path packages;
    private static ManagementServer server;

    @BeforeAll
    static void start() throws IOException {
        packages = Files.createTempDirectory("content-preview-it-");
        ConsoleUsers users = new ConsoleUsers(db.jdbi(), clock);
        users.upsert("viewer", VIEWER_PASSWORD, Role.VIEWER);
        AuthGate gate = new AuthGate(users, new LoginThrottle(clock), new ConsoleSessions(db.jdbi(), clock));
        console = new Console(gate, ZoneOffset.UTC, clock);
        ContentCatalog catalog = new ContentCatalog(db.jdbi(), new ContentPackages(packages));
        server = ManagementServer.start(new ManagementServer.Options("127.0.0.1", 0), gate,
                List.of(new ContentPages(console, catalog, db.jdbi())), console.problemPage());
        writePackage("tokyo", 1, "Old menu");
        writePackage("tokyo", 2, "Spring sale <b>50%</b>");
        registerVersion("tokyo", 1, false);
        registerVersion("tokyo", 2, true);
        DeviceRegistry registry = new DeviceRegistry(db.jdbi(), clock);
        for (int i = 1; i <= 4; i++) {
            registry.register(new NewDevice("tk-" + i, "tokyo", "Screen " + i, null), "test");
        }
        showing("tk-1", "tokyo@2");
        showing("tk-2", "tokyo@2");
        showing("tk-3", "tokyo@1");
    }

    @AfterAll
    static void stop() throws IOException {
        console.live().close(); // before the server: open streams need their responses
        server.close();
        try (Stream<Path> files = Files.walk(packages)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The layout of content-builder's PlayerPackage: manifest.json, slides.js, index.html. */
    private static void writePackage(String group, long number, String title) throws IOException {
        String manifest = """
                {"v":1,"group":"%s","version":"%s@%d","uploadId":"%s","builtAt":"2025-04-01T00:00:00Z","slides":[
                {"slideId":"s-1","title":"%s","body":"Everything","imageUrl":null,"durationSec":8,
                 "startAt":"2025-04-01T00:00:00Z","endAt":null,"priority":5}]}
                """.formatted(group, group, number, UPLOAD, title.replace("<", "\\u003C").replace(">", "\\u003E"));
        Path file = packages.resolve(group).resolve(number + ".zip");
        Files.createDirectories(file.getParent());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("manifest.json"));
            zip.write(manifest.getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("slides.js"));
            zip.write(("window.SIGNAGE_MANIFEST = " + manifest + ";\n").getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("index.html"));
            zip.write(Files.readAllBytes(PLAYER_PAGE));
            // Traps: entries a careless server would serve for names that leave the package.
            for (String trap : List.of("../escape.txt", "a\\index.html", "./index.html", "C:\\index.html", "images/")) {
                zip.putNextEntry(new ZipEntry(trap));
                zip.write("escaped".getBytes(StandardCharsets.UTF_8));
            }
            zip.closeEntry();
        }
    }

    private static void registerVersion(String group, long number, boolean current) {
        Timestamp at = Timestamp.from(clock.instant().minus(Duration.ofHours(3 - number)));
        db.jdbi().useHandle(h -> {
            h.execute("INSERT INTO content_builds (group_name, version_number, upload_id, sha256, size_bytes, slide_count, built_at) "
                    + "VALUES (?, ?, ?, 'abc', 1234, 1, ?)", group, number, UPLOAD, at);
            h.execute("INSERT INTO content_versions (group_name, version_number, sha256, size_bytes, slide_count, upload_id, "
                    + "correlation_id, registered_at) VALUES (?, ?, 'abc', 1234, 1, ?, ?, ?)", group, number, UPLOAD,
                    "upload-" + UPLOAD, at);
            if (current) {
                h.execute("INSERT INTO current_content (group_name, version_number, version, registered_at) VALUES (?, ?, ?, ?)",
                        group, number, group + "@" + number, at);
            }
        });
    }

    private static void showing(String deviceId, String version) {
        db.jdbi().useHandle(h -> h.execute("UPDATE device_state SET content_version = ? WHERE device_id = ?", version, deviceId));
    }

    private static HttpResponse<String> get(String path, boolean signedIn) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (signedIn) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(("viewer:" + VIEWER_PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse("");
    }

    /** The content type as sent, without the optional space before its parameters. */
    private static String type(HttpResponse<?> response) {
        return header(response, "Content-Type").replace("; ", ";");
    }

    @Test
    void contentsListTheVersionsOfEachGroupAndWhichTerminalsShowThem() throws Exception {
        HttpResponse<String> page = get("/console/contents", true);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("href=\"/console/contents/tokyo/2\"", "href=\"/console/contents/tokyo/1\"",
                "href=\"/console/uploads/" + UPLOAD + "\"");
        assertThat(page.body()).contains("href=\"/console/devices?group=tokyo&amp;contentVersion=tokyo%402\">2</a>",
                "href=\"/console/devices?group=tokyo&amp;contentVersion=tokyo%401\">1</a>");
        assertThat(page.body()).contains("1 terminal shows no content");
    }

    @Test
    void aVersionShowsItsSlidesAndFramesThePlayerInASandbox() throws Exception {
        HttpResponse<String> page = get("/console/contents/tokyo/2", true);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Spring sale &lt;b&gt;50%&lt;/b&gt;", "<code>s-1</code>");
        assertThat(page.body()).contains("<iframe class=\"player-preview\" id=\"player-preview\" sandbox=\"allow-scripts\" "
                + "src=\"/console/contents/tokyo/2/preview/index.html\"");
        assertThat(header(page, "Content-Security-Policy")).contains("frame-src 'self'", "frame-ancestors 'none'");
        assertThat(header(page, "X-Frame-Options")).isEqualTo("DENY");
    }

    @Test
    void thePlayerPageIsServedFromThePackageWithAPolicyThatLetsOnlyItsOwnScriptRun() throws Exception {
        HttpResponse<String> redirect = get("/console/contents/tokyo/2/preview/index.html", true);
        assertThat(redirect.statusCode()).isEqualTo(303);
        String signed = header(redirect, "Location");
        assertThat(signed).matches("/console/contents/tokyo/2/signed/[0-9]+\\.[A-Za-z0-9_-]+/index\\.html");
        assertThat(header(redirect, "X-Frame-Options")).isEqualTo("SAMEORIGIN");

        // No credentials: the sandboxed page cannot send the session cookie, the signature stands in for it.
        HttpResponse<String> index = get(signed, false);
        String player = Files.readString(PLAYER_PAGE);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).isEqualTo(player);
        assertThat(type(index)).isEqualTo("text/html;charset=utf-8");
        assertThat(header(index, "X-Frame-Options")).isEqualTo("SAMEORIGIN");
        assertThat(header(index, "X-Content-Type-Options")).isEqualTo("nosniff");
        String policy = header(index, "Content-Security-Policy");
        assertThat(policy).startsWith("sandbox allow-scripts;").contains("default-src 'none'", "frame-ancestors 'self'")
                .doesNotContain("unsafe-inline", "allow-same-origin");
        assertThat(policy).contains("'" + PreviewFiles.sha256(inline(player, "script")) + "'",
                "'" + PreviewFiles.sha256(inline(player, "style")) + "'");

        HttpResponse<String> slides = get(signed.replace("/index.html", "/slides.js"), false);
        assertThat(slides.statusCode()).isEqualTo(200);
        assertThat(type(slides)).isEqualTo("text/javascript;charset=utf-8");
        assertThat(slides.body()).startsWith("window.SIGNAGE_MANIFEST = {");
        HttpResponse<String> manifest = get(signed.replace("/index.html", "/manifest.json"), false);
        assertThat(type(manifest)).isEqualTo("application/json");
    }

    @Test
    void pathsOutOfThePackageAndUnknownEntriesAreRefused() throws Exception {
        String signed = header(get("/console/contents/tokyo/2/preview/index.html", true), "Location");
        String base = signed.substring(0, signed.length() - "index.html".length());
        for (String path : List.of("..%2Fescape.txt", "%2e%2e/escape.txt", "..%2F..%2F1.zip", "%2e%2e/%2e%2e/1.zip",
                "a%5Cindex.html", "%2Fetc%2Fpasswd", ".%2Findex.html", "C:%5Cindex.html", "images", "images/", "nothing.html")) {
            assertThat(get("/console/contents/tokyo/2/preview/" + path, true).statusCode()).as("preview/%s", path)
                    .isIn(400, 404);
            assertThat(get(base + path, false).statusCode()).as("signed/%s", path).isIn(400, 404);
        }
        assertThat(get("/console/contents/tokyo/2/preview/nothing.html", true).statusCode()).isEqualTo(404);
        assertThat(get("/console/contents/tokyo/2/preview/a%5Cindex.html", true).statusCode()).isEqualTo(404);
        assertThat(get("/console/contents/tokyo/9/preview/index.html", true).statusCode()).isEqualTo(404);
    }

    @Test
    void aSignatureOpensOnlyItsOwnVersionAndOnlyForAWhile() throws Exception {
        String signed = header(get("/console/contents/tokyo/2/preview/index.html", true), "Location");

        assertThat(get(signed.replace("/tokyo/2/", "/tokyo/1/"), false).statusCode()).isEqualTo(403);
        assertThat(get(signed.replaceFirst("\\.[A-Za-z0-9_-]{5}", ".AAAAA"), false).statusCode()).isEqualTo(403);
        assertThat(get("/console/contents/tokyo/2/preview/index.html", false).statusCode()).isEqualTo(303);
        assertThat(header(get("/console/contents/tokyo/2/preview/index.html", false), "Location")).startsWith("/console/login");

        clock.advance(PreviewLinks.VALID.plusSeconds(1));
        try {
            assertThat(get(signed, false).statusCode()).isEqualTo(403);
        } finally {
            clock.advance(PreviewLinks.VALID.plusSeconds(1).negated());
        }
    }

    private static String inline(String html, String tag) {
        Matcher m = Pattern.compile("<" + tag + ">(.*?)</" + tag + ">", Pattern.DOTALL).matcher(html);
        return Optional.of(m).filter(Matcher::find).map(x -> x.group(1)).orElseThrow();
    }
}
