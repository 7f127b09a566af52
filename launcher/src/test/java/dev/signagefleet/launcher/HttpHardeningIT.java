package dev.signagefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.launcher.stack.Stack;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP side of the whole stack under bad input and against leaks: every bad request gets a
 * clear problem answer, stores nothing, and the server goes on answering; no secret reaches the log.
 */
class HttpHardeningIT {

    private static final String ADMIN_PASSWORD = "bad-input-it";
    private static final long MAX_UPLOAD = 4_096;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static Stack stack;
    private static String base;
    private static int mqttPort;

    @BeforeAll
    static void start() throws IOException {
        Path dataDir = Files.createTempDirectory("http-hardening-it-");
        var options = TestStacks.local(dataDir, 0, ADMIN_PASSWORD);
        mqttPort = options.mqttPort();
        stack = Stack.start(options,
                Settings.of(Map.of("SIGNAGE_MAX_UPLOAD_BYTES", String.valueOf(MAX_UPLOAD))), Clock.systemUTC());
        base = "http://127.0.0.1:" + stack.httpPort();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.header("Authorization", TestStacks.basic("admin", ADMIN_PASSWORD)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder post(String path, String contentType, byte[] body) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private static String rawPostStatusLine(String path, String contentType, int bodyBytes) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", stack.httpPort())) {
            socket.setSoTimeout(30_000);
            Thread writer = new Thread(() -> {
                try {
                    var out = socket.getOutputStream();
                    out.write(("POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + TestStacks.basic("admin", ADMIN_PASSWORD)
                            + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + bodyBytes + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    byte[] chunk = new byte[64 * 1024];
                    for (int sent = 0; sent < bodyBytes; sent += chunk.length) {
                        out.write(chunk, 0, Math.min(chunk.length, bodyBytes - sent));
                    }
                    out.flush();
                } catch (IOException e) {
                    // the server stopped reading: expected once it has answered
                }
            });
            writer.start();
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            writer.join(10_000);
            return String.valueOf(statusLine);
        }
    }

    private static long uploads() throws IOException, InterruptedException {
        return Json.mapper().readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/uploads"))).body())
                .get("items").size();
    }

    private static void assertProblem(HttpResponse<String> response, int status, String detailFragment) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
        JsonNode problem = Json.mapper().readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asText()).containsIgnoringCase(detailFragment);
    }

    @Test
    void anUploadOverTheLimitIsRefusedWith413AndStoresNothing() throws Exception {
        long before = uploads();
        byte[] big = ("slide_id,title,duration_sec\n" + "s,Too much,5\n".repeat(1_000)).getBytes(StandardCharsets.UTF_8);
        assertThat((long) big.length).isGreaterThan(MAX_UPLOAD);

        assertProblem(send(post("/api/uploads", "text/csv", big)), 413, "SIGNAGE_MAX_UPLOAD_BYTES");
        Multipart multipart = new Multipart("file", "big.csv", big);
        assertThat(send(post("/api/uploads", multipart.contentType(), multipart.body)).statusCode()).isEqualTo(413);
        // A body over the server's own request limit (1 MB) is refused without being read to the end
        // (a raw socket: the server may answer and close while the client is still sending).
        assertThat(rawPostStatusLine("/api/devices", "application/json", 2 * 1024 * 1024)).contains(" 413 ");

        assertThat(uploads()).isEqualTo(before);
        assertThat(send(HttpRequest.newBuilder(URI.create(base + "/api/fleet/summary"))).statusCode()).isEqualTo(200);
    }

    @Test
    void wrongContentTypesAreRefusedWithWhatToSendInstead() throws Exception {
        long before = uploads();
        byte[] csv = "slide_id,title,duration_sec\na,A,5\n".getBytes(StandardCharsets.UTF_8);

        assertProblem(send(post("/api/uploads", "application/json", csv)), 415, "text/csv");
        assertProblem(send(post("/api/uploads", "image/png", csv)), 415, "multipart/form-data");
        HttpResponse<String> notJson = send(post("/api/devices", "text/plain", "deviceId=x".getBytes(StandardCharsets.UTF_8)));
        assertProblem(notJson, 400, "not valid JSON");
        assertProblem(send(post("/api/devices", "application/json", "[1,2]".getBytes(StandardCharsets.UTF_8))), 400,
                "JSON object");

        assertThat(uploads()).isEqualTo(before);
    }

    @Test
    void pathTraversalInContentDownloadsFindsNothing() throws Exception {
        for (String path : new String[] {"/content/..%2F..%2Fetc/1/package.zip", "/content/%2e%2e/1/package.zip",
                "/content/tokyo-east/..%2F..%2Fpasswd/package.zip", "/content/tokyo-east/-1/package.zip",
                "/content/tokyo-east/1/..%2F..%2F..%2Fetc%2Fpasswd"}) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + path)));
            assertThat(response.statusCode()).as(path + " → " + response.body()).isIn(400, 404);
            assertThat(response.body()).doesNotContain("root:");
        }
        // the raw path, as a client that does not normalise it would send it
        try (Socket socket = new Socket("127.0.0.1", stack.httpPort())) {
            socket.getOutputStream().write(("GET /content/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nAuthorization: "
                    + TestStacks.basic("admin", ADMIN_PASSWORD) + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 4").doesNotContain("root:");
        }
    }

    @Test
    void noPasswordOrCredentialReachesTheLog() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        root.addAppender(log);
        String wrongPassword = "wrong-but-close-to-" + ADMIN_PASSWORD;
        String credential;
        String rotated;
        try {
            HttpResponse<String> created = send(post("/api/devices", "application/json",
                    "{\"deviceId\":\"leak-1\",\"group\":\"osaka\"}".getBytes(StandardCharsets.UTF_8)));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            credential = Json.mapper().readTree(created.body()).get("credential").asText();
            rotated = Json.mapper().readTree(send(post("/api/devices/leak-1/credential", "application/json", new byte[0])).body())
                    .get("credential").asText();
            // a terminal logs in with the old and the new credential; a person mistypes a password
            for (String secret : new String[] {credential, rotated}) {
                var client = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder().identifier("leak-1").serverHost("127.0.0.1")
                        .serverPort(mqttPort).simpleAuth().username("leak-1")
                        .password(secret.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().buildBlocking();
                try {
                    client.connect();
                    client.disconnect();
                } catch (RuntimeException refused) {
                    // the old credential is refused: that is the point
                }
            }
            http.send(HttpRequest.newBuilder(URI.create(base + "/api/fleet/summary"))
                    .header("Authorization", TestStacks.basic("admin", wrongPassword)).build(), HttpResponse.BodyHandlers.ofString());
            http.send(HttpRequest.newBuilder(URI.create(base + "/console/login")).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=admin&password=" + wrongPassword)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            root.detachAppender(log);
        }
        assertThat(log.list).as("something was logged").isNotEmpty();
        for (ch.qos.logback.classic.spi.ILoggingEvent event : log.list) {
            String line = event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
                    : " " + ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(event.getThrowableProxy()));
            assertThat(line).as("log line of " + event.getLoggerName())
                    .doesNotContain(credential).doesNotContain(rotated).doesNotContain(ADMIN_PASSWORD).doesNotContain(wrongPassword);
        }
    }

    /** The routes anyone may call; each of them checks what it needs by itself (or needs nothing). */
    private static final java.util.Set<String> PUBLIC = java.util.Set.of(
            "GET /healthz", "GET /readyz", "GET /metrics", "GET /",
            "GET /console/login", "POST /console/login", "GET /console/lang",
            "GET /content/{group}/{number}/package.zip", // the terminal's own credential (HTTP Basic)
            "GET /console/contents/{group}/{number}/signed/{token}/<path>"); // a signed, expiring link

    private static String concrete(String path) {
        return path.replaceAll("\\{[^}]+}", "x1").replace("<path>", "index.html");
    }

    private static HttpResponse<String> call(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + concrete(path)))
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{}"))
                .header("Content-Type", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyRouteButThePublicOnesWantsCredentialsAndAViewerCannotChangeAnything() throws Exception {
        new dev.signagefleet.management.auth.ConsoleUsers(stack.database().jdbi(), Clock.systemUTC())
                .upsert("walker", "viewer password 1", dev.signagefleet.management.auth.Role.VIEWER);
        String viewer = TestStacks.basic("walker", "viewer password 1");
        java.util.Set<String> unprotected = new java.util.TreeSet<>();
        int walked = 0;
        for (var route : stack.httpRoutes()) {
            if (!java.util.Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(route.method())) {
                continue; // before/after filters
            }
            String name = route.method() + " " + route.path();
            if (route.roles().isEmpty()) {
                unprotected.add(name);
                continue;
            }
            walked++;
            HttpResponse<String> anonymous = call(route.method(), route.path(), null);
            assertThat(anonymous.statusCode()).as(name + " without credentials").isIn(401, 303);
            if (anonymous.statusCode() == 303) {
                assertThat(anonymous.headers().firstValue("Location")).as(name).hasValueSatisfying(l -> assertThat(l).startsWith("/console/login"));
            }
            assertThat(call(route.method(), route.path(), TestStacks.basic("nobody", "not the password")).statusCode())
                    .as(name + " with a wrong password").isIn(401, 303, 429); // 429: the login throttle took over
            if (route.roles().equals(java.util.Set.of("ADMIN"))) {
                assertThat(call(route.method(), route.path(), viewer).statusCode()).as(name + " as a viewer").isEqualTo(403);
            }
        }
        assertThat(unprotected).as("routes without a role: add the route's role, or add it to PUBLIC with the reason")
                .isEqualTo(new java.util.TreeSet<>(PUBLIC));
        assertThat(walked).isGreaterThan(60);
        // the public ones that guard themselves
        assertThat(call("GET", "/content/osaka/1/package.zip", null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/console/contents/{group}/{number}/signed/{token}/<path>", null).statusCode()).isIn(403, 404);
        assertThat(call("GET", "/metrics", null).statusCode()).isEqualTo(200);
    }
}
