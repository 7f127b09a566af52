package dev.signagefleet.management.auth;

import dev.signagefleet.management.problem.ApiException;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.security.BasicAuthCredentials;
import io.javalin.security.RouteRole;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every request to a route that names roles, and checks the role. Two ways in:
 * <ul>
 *   <li>a console session cookie (browsers): every unsafe request (POST, PUT, PATCH, DELETE) must
 *       also carry the session's CSRF token, as form field {@value #CSRF_FIELD} or header
 *       {@value #CSRF_HEADER};</li>
 *   <li>HTTP Basic (scripts and the CLI). Browsers are never challenged for it (no
 *       {@code WWW-Authenticate} to requests with {@code Sec-Fetch-Site} or on console paths), so
 *       they never keep Basic credentials a forged form could ride on; a write whose
 *       {@code Sec-Fetch-Site} says another site is refused.</li>
 * </ul>
 * A console page asked for without a session redirects to the login page; the API answers 401.
 * Routes without roles (health, metrics, login) are public.
 */
public final class AuthGate {

    private static final Logger log = LoggerFactory.getLogger(AuthGate.class);
    public static final String USER_ATTRIBUTE = "signage.user";
    public static final String SESSION_ATTRIBUTE = "signage.session";
    public static final String CSRF_FIELD = "_csrf";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    public static final String CONSOLE_PREFIX = "/console";
    static final int MAX_USERNAME = 64;
    static final int MAX_PASSWORD = 1024;

    private final ConsoleUsers users;
    private final LoginThrottle throttle;
    private final ConsoleSessions sessions;

    /** The outcome of a username and password check. */
    public sealed interface Login {
        record Accepted(ConsoleUsers.User user) implements Login {
        }

        record Refused() implements Login {
        }

        record Throttled(Duration retryAfter) implements Login {
        }
    }

    public AuthGate(ConsoleUsers users, LoginThrottle throttle, ConsoleSessions sessions) {
        this.users = users;
        this.throttle = throttle;
        this.sessions = sessions;
    }

    public ConsoleSessions sessions() {
        return sessions;
    }

    /** Checks a username and password under the failed-login throttle (shared by Basic auth and the login form). */
    public Login login(String username, String password, String ip, String via) {
        if (username == null || password == null || username.length() > MAX_USERNAME || password.length() > MAX_PASSWORD) {
            // Refused before the throttle and the log: a megabyte of "username" must cost neither memory nor log space.
            return new Login.Refused();
        }
        Optional<Duration> wait = throttle.retryAfter(username, ip);
        if (wait.isPresent()) {
            return new Login.Throttled(wait.get());
        }
        Optional<ConsoleUsers.User> user = users.authenticate(username, password);
        if (user.isEmpty()) {
            throttle.failed(username, ip);
            log.warn("Failed {} login for user '{}' from {}", via, username.replaceAll("\\p{Cntrl}", "?"), ip);
            return new Login.Refused();
        }
        throttle.succeeded(username, ip);
        return new Login.Accepted(user.get());
    }

    /** The console session of this request, if it has a live one. */
    public Optional<ConsoleSessions.Session> session(Context ctx) {
        ConsoleSessions.Session cached = ctx.attribute(SESSION_ATTRIBUTE);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<ConsoleSessions.Session> session = sessions.find(ctx.cookie(ConsoleSessions.COOKIE));
        session.ifPresent(s -> ctx.attribute(SESSION_ATTRIBUTE, s));
        return session;
    }

    public void check(Context ctx) {
        Set<RouteRole> roles = ctx.routeRoles();
        if (roles.isEmpty()) {
            return;
        }
        ConsoleUsers.User user = session(ctx).map(s -> viaSession(ctx, s)).orElseGet(() -> viaBasic(ctx));
        Role role = user.role();
        boolean allowed = roles.stream().anyMatch(r -> r instanceof Role required && role.satisfies(required));
        if (!allowed) {
            throw new ApiException(403, "forbidden", "Not allowed",
                    "User '" + user.username() + "' (" + role.dbValue() + ") may not " + ctx.method() + " " + ctx.path()
                            + "; ask an admin");
        }
        ctx.attribute(USER_ATTRIBUTE, user);
    }

    private static ConsoleUsers.User viaSession(Context ctx, ConsoleSessions.Session session) {
        if (isUnsafe(ctx.method())) {
            String given = ctx.header(CSRF_HEADER);
            if (given == null && (ctx.isFormUrlencoded() || ctx.isMultipartFormData())) {
                try {
                    given = ctx.formParam(CSRF_FIELD);
                } catch (Exception e) { // Jetty's ServletException arrives unchecked through Kotlin
                    // Reading the form is where an over-large upload is noticed.
                    throw new ApiException(413, "upload-too-large", "Upload too large or unreadable",
                            "The form could not be read (" + e.getMessage() + "); check the file size limit and send it again");
                }
            }
            if (!ConsoleSessions.sameToken(session.csrfToken(), given)) {
                log.warn("Refused {} {} of user '{}': missing or wrong CSRF token", ctx.method(), ctx.path(),
                        session.user().username());
                throw new ApiException(403, "csrf-token", "Form expired or forged",
                        "The request did not carry this session's CSRF token; reload the page and try again");
            }
        }
        return session.user();
    }

    private ConsoleUsers.User viaBasic(Context ctx) {
        // A browser must never be asked for Basic credentials: once it keeps them it would send them
        // with a forged cross-site form too, and Basic requests carry no CSRF token. Browsers send
        // Sec-Fetch-* headers; scripts and the CLI do not.
        boolean fromBrowser = ctx.header("Sec-Fetch-Site") != null || ctx.path().startsWith(CONSOLE_PREFIX);
        String site = ctx.header("Sec-Fetch-Site");
        if (isUnsafe(ctx.method()) && site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw new ApiException(403, "cross-site", "Cross-site request refused",
                    "A write from another site is not accepted; use the console or a script");
        }
        BasicAuthCredentials credentials;
        try {
            credentials = ctx.basicAuthCredentials();
        } catch (IllegalArgumentException e) {
            credentials = null; // not Base64: treated like no credentials at all
        }
        if (credentials == null) {
            if (ctx.path().startsWith(CONSOLE_PREFIX) && ctx.method() == HandlerType.GET) {
                String next = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
                ctx.redirect(CONSOLE_PREFIX + "/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
                ctx.skipRemainingHandlers();
                throw new SignInRequired();
            }
            if (!fromBrowser) {
                ctx.header("WWW-Authenticate", "Basic realm=\"signage-fleet\", charset=\"UTF-8\"");
            }
            throw new ApiException(401, "unauthenticated", "Authentication required",
                    "Sign in to the console, or send HTTP Basic credentials of a console user "
                            + "(user admin; see the banner of ./signage up for its password)");
        }
        Login login = login(credentials.getUsername(), credentials.getPassword(), ctx.ip(), "API");
        if (login instanceof Login.Throttled throttled) {
            long seconds = Math.max(1, throttled.retryAfter().toSeconds());
            ctx.header("Retry-After", String.valueOf(seconds));
            throw new ApiException(429, "too-many-failed-logins", "Too many failed logins",
                    "Too many wrong passwords for this user or address; try again in " + seconds + " s");
        }
        if (login instanceof Login.Refused) {
            if (!fromBrowser) {
                ctx.header("WWW-Authenticate", "Basic realm=\"signage-fleet\", charset=\"UTF-8\"");
            }
            throw new ApiException(401, "unauthenticated", "Wrong username or password",
                    "The credentials were not accepted");
        }
        return ((Login.Accepted) login).user();
    }

    private static boolean isUnsafe(HandlerType method) {
        return method == HandlerType.POST || method == HandlerType.PUT || method == HandlerType.PATCH
                || method == HandlerType.DELETE;
    }

    /** Thrown after redirecting a browser to the login page, to stop the request there. */
    public static final class SignInRequired extends RuntimeException {
        SignInRequired() {
            super("sign-in required", null, false, false);
        }
    }
}
