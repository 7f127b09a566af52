package dev.signagefleet.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.problem.ApiException;
import dev.signagefleet.management.problem.Problem;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The HTTP server of the management API and console: JSON in and out on {@code /api}, HTML pages
 * on {@code /console}, RFC 9457 problems on errors, session or HTTP Basic authentication with
 * roles, a request id on every response and log line.
 */
public final class ManagementServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);
    private static final Pattern REQUEST_ID = Pattern.compile("^[A-Za-z0-9._-]{1,64}$");
    private static final Pattern SIGNED_TOKEN = Pattern.compile("/signed/[^/]+/");
    /** Largest request body the JSON API accepts. */
    public static final long MAX_REQUEST_BYTES = 1024 * 1024;

    private final Javalin app;

    /**
     * @param bindAddress    interface to listen on
     * @param port           0 for any free port
     * @param maxUploadBytes largest CSV upload accepted (413 above)
     */
    public record Options(String bindAddress, int port, long maxUploadBytes) {

        /** 64 MB: a slides file far larger than any sign shows, small enough to handle with ease. */
        public static final long DEFAULT_MAX_UPLOAD_BYTES = 64L * 1024 * 1024;

        public Options(String bindAddress, int port) {
            this(bindAddress, port, DEFAULT_MAX_UPLOAD_BYTES);
        }
    }

    private ManagementServer(Javalin app) {
        this.app = app;
    }

    /** Renders a problem as a page for a browser (the console) instead of JSON. */
    @FunctionalInterface
    public interface ProblemPage {
        void render(Context ctx, Problem problem);
    }

    /** Requests slower than this are logged at INFO even when they only read. */
    static final double SLOW_REQUEST_MS = 1_000;

    /**
     * A successful, quick read (GET or HEAD answered 2xx or 3xx within {@link #SLOW_REQUEST_MS}): logged at DEBUG.
     * Writes, refusals, errors and slow requests are logged at INFO.
     */
    static boolean routineRead(String method, int status, double ms) {
        return (method.equals("GET") || method.equals("HEAD")) && status < 400 && ms < SLOW_REQUEST_MS;
    }

    public static ManagementServer start(Options options, AuthGate gate, List<Routes> routeGroups) {
        return start(options, gate, routeGroups, null);
    }

    /**
     * @param consoleProblems renders errors of {@code /console} pages as HTML; null to answer JSON everywhere
     */
    public static ManagementServer start(Options options, AuthGate gate, List<Routes> routeGroups, ProblemPage consoleProblems) {
        Problems problems = new Problems(consoleProblems);
        Javalin app = Javalin.create(config -> {
            config.jsonMapper(new JavalinJackson(Json.mapper(), false));
            config.http.maxRequestSize = MAX_REQUEST_BYTES;
            // Uploads stream to a temporary file, never into memory; the CSV reader streams from there.
            config.jetty.multipartConfig.maxFileSize(options.maxUploadBytes(), SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(options.maxUploadBytes() + 1024 * 1024, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize(256 * 1024, SizeUnit.BYTES);
            config.jetty.multipartConfig.cacheDirectory(System.getProperty("java.io.tmpdir"));
            config.startup.showJavalinBanner = false;
            config.jetty.host = options.bindAddress();
            config.jetty.port = options.port();
            config.routes.before(ManagementServer::tagRequest);
            config.routes.beforeMatched(gate::check);
            config.routes.after(ManagementServer::secureHeaders);
            config.staticFiles.add(files -> {
                files.hostedPath = "/console/static";
                files.directory = "/console-static";
                files.location = Location.CLASSPATH;
                files.headers = java.util.Map.of("Cache-Control", "max-age=3600");
            });
            routeGroups.forEach(group -> group.register(config.routes));
            config.routes.exception(AuthGate.SignInRequired.class, (e, ctx) -> {
                // the gate already redirected the browser to the login page
            });
            config.routes.exception(ApiException.class, (e, ctx) -> problems.send(ctx, e.toProblem(ctx.path()), e.status()));
            config.routes.exception(HttpResponseException.class, (e, ctx) -> problems.send(ctx,
                    new Problem("http-" + e.getStatus(), e.getMessage(), e.getStatus(), e.getMessage(), ctx.path()),
                    e.getStatus()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("Request {} {} failed", ctx.method(), ctx.path(), e);
                problems.send(ctx, new Problem("internal-error", "Internal error", 500,
                        "The server could not complete the request; the log has the details under request id "
                                + ctx.attribute("requestId"), ctx.path()), 500);
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    problems.send(ctx, new Problem("not-found", "Not found", 404,
                            "No such endpoint: " + ctx.method() + " " + ctx.path(), ctx.path()), 404);
                }
            });
            config.requestLogger.http((ctx, ms) -> {
                if (!ctx.path().equals("/metrics") && !ctx.path().startsWith("/healthz") && !ctx.path().startsWith("/readyz")) {
                    // A signed preview link works without signing in: keep its token out of the log.
                    String path = SIGNED_TOKEN.matcher(ctx.path()).replaceAll("/signed/…/");
                    if (routineRead(ctx.method().name(), ctx.status().getCode(), ms)) {
                        // dashboards and scripts poll: a line per successful read would drown the rest (and cost at 1,000 req/s)
                        log.debug("{} {} -> {} in {} ms", ctx.method(), path, ctx.status().getCode(), Math.round(ms));
                    } else {
                        log.info("{} {} -> {} in {} ms", ctx.method(), path, ctx.status().getCode(), Math.round(ms));
                    }
                }
                MDC.remove("cid");
            });
        });
        app.start();
        log.info("HTTP API listening on {}:{}", options.bindAddress(), app.port());
        return new ManagementServer(app);
    }

    private static void tagRequest(Context ctx) {
        String incoming = ctx.header("X-Request-Id");
        String id = incoming != null && REQUEST_ID.matcher(incoming).matches() ? incoming : UUID.randomUUID().toString();
        ctx.attribute("requestId", id);
        ctx.header("X-Request-Id", id);
        MDC.put("cid", id);
    }

    private static void secureHeaders(Context ctx) {
        // A response that set its own policy keeps it: the content preview (the player page, framed by
        // the console) runs its inline script in a sandbox and must be framed by this origin.
        boolean ownPolicy = ctx.res().getHeader("Content-Security-Policy") != null;
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", ownPolicy ? "SAMEORIGIN" : "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        if (ctx.path().startsWith("/api/")) {
            ctx.header("Cache-Control", "no-store");
        }
        if (ctx.path().startsWith(AuthGate.CONSOLE_PREFIX)) {
            // Everything the console loads comes from this server: no inline script, no CDN.
            if (!ownPolicy) {
                ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                        + "script-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
            }
            if (!ctx.path().startsWith("/console/static/")) {
                ctx.header("Cache-Control", "no-store");
            }
        }
    }

    /** Answers with a problem: an HTML page on console paths (when there is a console), JSON elsewhere. */
    private record Problems(ProblemPage consolePage) {

        void send(Context ctx, Problem problem, int status) {
            if (consolePage != null && ctx.path().startsWith(AuthGate.CONSOLE_PREFIX + "/")
                    && !ctx.path().startsWith("/console/static/")) {
                ctx.status(status);
                consolePage.render(ctx, problem);
                return;
            }
            try {
                ctx.status(status).contentType(Problem.CONTENT_TYPE).result(Json.mapper().writeValueAsString(problem));
            } catch (JsonProcessingException e) {
                ctx.status(status).result(problem.getTitle());
            }
        }
    }

    public int port() {
        return app.port();
    }

    /** One registered route: its method, its path pattern and the roles that may call it (none: public). */
    public record Route(String method, String path, java.util.Set<String> roles) {
    }

    /**
     * Every registered route, for the test that walks them all without credentials (a route added
     * without a role and not on the public list fails it). Reads Javalin's router through its
     * {@code unsafe} state, the only place that lists the routes.
     */
    public List<Route> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> {
                    io.javalin.security.Roles roles = parsed.endpoint.metadata(io.javalin.security.Roles.class);
                    java.util.Set<String> names = new java.util.TreeSet<>();
                    if (roles != null) {
                        roles.getRoles().forEach(role -> names.add(role.toString()));
                    }
                    return new Route(parsed.endpoint.method.name(), parsed.endpoint.path, names);
                })
                .toList();
    }

    @Override
    public void close() {
        app.stop();
        log.info("HTTP API stopped");
    }
}
