package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.common.config.Settings;
import dev.signagefleet.launcher.stack.Stack;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's defences at the HTTP level: session cookies, CSRF tokens on every form, roles,
 * redirects that stay on this server, the login throttle and the security headers.
 */
class ConsoleSecurityIT {

    private static final String ADMIN_PASSWORD = "console-security-admin";
    private static final String VIEWER_PASSWORD = "viewer-password-123";
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static Stack stack;
    private static String base;

    @BeforeAll
    static void start() throws IOException {
        stack = Stack.start(TestStacks.local(Files.createTempDirectory("console-security-it-"), 0, ADMIN_PASSWORD),
                Settings.of(Map.of()), Clock.systemUTC());
        base = "http://127.0.0.1:" + stack.httpPort();
        new ConsoleUsers(stack.database().jdbi(), Clock.systemUTC()).upsert("viewer", VIEWER_PASSWORD, Role.VIEWER);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** A signed-in browser: its session cookie and the CSRF token its pages carry. */
    private record Session(String cookie, String csrf) {
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder form(String path, String cookie, Map<String, String> fields) {
        StringBuilder body = new StringBuilder();
        fields.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return b;
    }

    private static HttpRequest.Builder get(String path, String cookie) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return b;
    }

    private static Session signIn(String user, String password) throws IOException, InterruptedException {
        HttpResponse<String> response = send(form("/console/login", null, Map.of("username", user, "password", password,
                "next", "/console/")));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(303);
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        HttpResponse<String> page = send(get("/console/", cookie));
        Matcher m = CSRF.matcher(page.body());
        assertThat(m.find()).as("the page carries a CSRF token").isTrue();
        return new Session(cookie, m.group(1));
    }

    @Test
    void theSessionCookieIsHttpOnlyAndSameSiteStrictAndSigningOutEndsItOnTheServer() throws Exception {
        HttpResponse<String> response = send(form("/console/login", null, Map.of("username", "admin", "password", ADMIN_PASSWORD)));
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(send(get("/console/", cookie)).statusCode()).isEqualTo(200);
        String csrf = CSRF.matcher(send(get("/console/", cookie)).body()).results().findFirst().orElseThrow().group(1);

        assertThat(send(form("/console/logout", cookie, Map.of("_csrf", csrf))).statusCode()).isEqualTo(303);
        HttpResponse<String> after = send(get("/console/", cookie));
        assertThat(after.statusCode()).as("the old cookie no longer signs anyone in").isEqualTo(303);
        assertThat(after.headers().firstValue("Location").orElseThrow()).startsWith("/console/login");
    }

    @Test
    void aFormPostWithoutTheSessionsCsrfTokenIsRefused() throws Exception {
        Session admin = signIn("admin", ADMIN_PASSWORD);
        HttpResponse<String> none = send(form("/console/users", admin.cookie(),
                Map.of("username", "mallory", "password", "mallory-password-1", "role", "admin")));
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(none.body()).contains("Form expired or forged");
        HttpResponse<String> wrong = send(form("/console/users", admin.cookie(),
                Map.of("_csrf", "not-the-token", "username", "mallory", "password", "mallory-password-1", "role", "admin")));
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(userExists("mallory")).as("nothing happened").isFalse();

        // The API accepts the session for reading, but a write needs the token in a header too.
        assertThat(send(get("/api/fleet/summary", admin.cookie())).statusCode()).isEqualTo(200);
        HttpResponse<String> apiWrite = send(HttpRequest.newBuilder(URI.create(base + "/api/devices"))
                .header("Cookie", admin.cookie()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"csrf-victim\",\"group\":\"osaka\"}")));
        assertThat(apiWrite.statusCode()).isEqualTo(403);
        HttpResponse<String> apiWithToken = send(HttpRequest.newBuilder(URI.create(base + "/api/devices"))
                .header("Cookie", admin.cookie()).header("X-CSRF-Token", admin.csrf()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"deviceId\":\"csrf-ok\",\"group\":\"osaka\"}")));
        assertThat(apiWithToken.statusCode()).as(apiWithToken.body()).isEqualTo(201);

        HttpResponse<String> added = send(form("/console/users", admin.cookie(),
                Map.of("_csrf", admin.csrf(), "username", "carol", "password", "carol-password-1", "role", "viewer")));
        assertThat(added.statusCode()).isEqualTo(303);
        assertThat(userExists("carol")).isTrue();
    }

    @Test
    void aViewerCanLookButNotUploadOrHandleDeadLetters() throws Exception {
        Session viewer = signIn("viewer", VIEWER_PASSWORD);
        assertThat(send(get("/console/devices", viewer.cookie())).statusCode()).isEqualTo(200);
        assertThat(send(get("/console/uploads", viewer.cookie())).statusCode()).isEqualTo(200);
        HttpResponse<String> uploadForm = send(get("/console/uploads/new", viewer.cookie()));
        assertThat(uploadForm.statusCode()).isEqualTo(403);
        assertThat(uploadForm.body()).contains("may not GET /console/uploads/new");
        String boundary = "b" + UUID.randomUUID();
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + viewer.csrf() + "\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                + "slide_id,title,duration_sec,target_group\nv-1,Viewer,5,osaka\n\r\n--" + boundary + "--\r\n";
        HttpResponse<String> check = send(HttpRequest.newBuilder(URI.create(base + "/console/uploads/check"))
                .header("Cookie", viewer.cookie()).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart)));
        assertThat(check.statusCode()).isEqualTo(403);
        assertThat(send(get("/console/dead-letters", viewer.cookie())).statusCode()).isEqualTo(403);
        assertThat(send(form("/console/users", viewer.cookie(), Map.of("_csrf", viewer.csrf(), "username", "eve",
                "password", "eve-password-123", "role", "admin"))).statusCode()).isEqualTo(403);
        assertThat(userExists("eve")).isFalse();
        assertThat(send(get("/console/", viewer.cookie())).body()).doesNotContain("href=\"/console/users\"");
    }

    @Test
    void browsersAreNeverAskedForBasicCredentialsAndCrossSiteBasicWritesAreRefused() throws Exception {
        HttpResponse<String> script = send(get("/api/devices", null));
        assertThat(script.statusCode()).isEqualTo(401);
        assertThat(script.headers().firstValue("WWW-Authenticate")).as("scripts get the challenge").isPresent();
        HttpResponse<String> browser = send(get("/api/devices", null).header("Sec-Fetch-Site", "same-origin"));
        assertThat(browser.statusCode()).isEqualTo(401);
        assertThat(browser.headers().firstValue("WWW-Authenticate")).as("no login box a browser would remember").isEmpty();
        HttpResponse<String> consoleWrite = send(form("/console/users", null, Map.of("username", "x")));
        assertThat(consoleWrite.statusCode()).isEqualTo(401);
        assertThat(consoleWrite.headers().firstValue("WWW-Authenticate")).isEmpty();

        HttpResponse<String> forged = send(form("/console/users", null, Map.of("username", "mallory2",
                "password", "mallory-password-1", "role", "admin"))
                .header("Authorization", TestStacks.basic("admin", ADMIN_PASSWORD)).header("Sec-Fetch-Site", "cross-site"));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(userExists("mallory2")).isFalse();
    }

    @Test
    void anOversizedUsernameIsRefusedWithoutBeingKept() throws Exception {
        HttpResponse<String> response = send(form("/console/login", null,
                Map.of("username", "x".repeat(100_000), "password", "whatever")));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("Wrong user name or password").doesNotContain("x".repeat(100));
    }

    @Test
    void signingInRedirectsOnlyWithinTheConsole() throws Exception {
        for (String next : new String[] {"https://evil.example/", "//evil.example/x", "/\\evil.example", "/api/devices"}) {
            HttpResponse<String> response = send(form("/console/login", null,
                    Map.of("username", "admin", "password", ADMIN_PASSWORD, "next", next)));
            assertThat(response.headers().firstValue("Location").orElseThrow()).as(next).isEqualTo("/console/");
        }
        HttpResponse<String> inside = send(form("/console/login", null,
                Map.of("username", "admin", "password", ADMIN_PASSWORD, "next", "/console/devices?group=osaka")));
        assertThat(inside.headers().firstValue("Location").orElseThrow()).isEqualTo("/console/devices?group=osaka");
        HttpResponse<String> language = send(get("/console/lang?to=ja&next=https://evil.example/", null));
        assertThat(language.headers().firstValue("Location").orElseThrow()).isEqualTo("/console/");
    }

    @Test
    void repeatedWrongPasswordsAreSlowedDown() throws Exception {
        String user = "throttled-" + UUID.randomUUID().toString().substring(0, 6);
        new ConsoleUsers(stack.database().jdbi(), Clock.systemUTC()).upsert(user, "right-password-1", Role.VIEWER);
        int status = 0;
        for (int i = 0; i < 12 && status != 429; i++) {
            status = send(form("/console/login", null, Map.of("username", user, "password", "wrong-" + i))).statusCode();
            assertThat(status).isIn(401, 429);
        }
        assertThat(status).isEqualTo(429);
        HttpResponse<String> evenRight = send(form("/console/login", null, Map.of("username", user, "password", "right-password-1")));
        assertThat(evenRight.statusCode()).as("locked for a while, even with the right password").isEqualTo(429);
        assertThat(evenRight.headers().firstValue("Retry-After")).isPresent();
        assertThat(evenRight.body()).contains("Too many wrong passwords");
    }

    @Test
    void pagesCarrySecurityHeadersAndNoSecretsAreCached() throws Exception {
        Session admin = signIn("admin", ADMIN_PASSWORD);
        HttpResponse<String> page = send(get("/console/devices", admin.cookie()));
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self'").contains("frame-ancestors 'none'");
        assertThat(page.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(page.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(page.body()).doesNotContain("<script>").doesNotContain("style=\"");
    }

    private static boolean userExists(String username) {
        return stack.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM console_users WHERE username = :u")
                .bind("u", username).mapTo(Integer.class).one()) > 0;
    }
}
