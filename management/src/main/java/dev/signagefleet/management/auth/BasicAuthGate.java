package dev.signagefleet.management.auth;

import dev.signagefleet.management.problem.ApiException;
import io.javalin.http.Context;
import io.javalin.security.BasicAuthCredentials;
import io.javalin.security.RouteRole;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates API requests with HTTP Basic (for scripts and the CLI) and checks the route's
 * role. Routes without roles (health, metrics) are public.
 */
public final class BasicAuthGate {

    private static final Logger log = LoggerFactory.getLogger(BasicAuthGate.class);
    public static final String USER_ATTRIBUTE = "signage.user";

    private final ConsoleUsers users;
    private final LoginThrottle throttle;

    public BasicAuthGate(ConsoleUsers users, LoginThrottle throttle) {
        this.users = users;
        this.throttle = throttle;
    }

    public void check(Context ctx) {
        Set<RouteRole> roles = ctx.routeRoles();
        if (roles.isEmpty()) {
            return;
        }
        BasicAuthCredentials credentials;
        try {
            credentials = ctx.basicAuthCredentials();
        } catch (IllegalArgumentException e) {
            credentials = null; // not Base64: treated like no credentials at all
        }
        if (credentials == null) {
            ctx.header("WWW-Authenticate", "Basic realm=\"signage-fleet\", charset=\"UTF-8\"");
            throw new ApiException(401, "unauthenticated", "Authentication required",
                    "Send HTTP Basic credentials of a console user (user admin; see the banner of ./signage up for its password)");
        }
        String username = credentials.getUsername();
        Optional<Duration> wait = throttle.retryAfter(username, ctx.ip());
        if (wait.isPresent()) {
            ctx.header("Retry-After", String.valueOf(Math.max(1, wait.get().toSeconds())));
            throw new ApiException(429, "too-many-failed-logins", "Too many failed logins",
                    "Too many wrong passwords for this user or address; try again in " + Math.max(1, wait.get().toSeconds()) + " s");
        }
        Optional<ConsoleUsers.User> user = users.authenticate(username, credentials.getPassword());
        if (user.isEmpty()) {
            throttle.failed(username, ctx.ip());
            log.warn("Failed API login for user '{}' from {}", username, ctx.ip());
            ctx.header("WWW-Authenticate", "Basic realm=\"signage-fleet\", charset=\"UTF-8\"");
            throw new ApiException(401, "unauthenticated", "Wrong username or password",
                    "The credentials were not accepted");
        }
        throttle.succeeded(username, ctx.ip());
        Role role = user.get().role();
        boolean allowed = roles.stream().anyMatch(r -> r instanceof Role required && role.satisfies(required));
        if (!allowed) {
            throw new ApiException(403, "forbidden", "Not allowed",
                    "User '" + username + "' (" + role.dbValue() + ") may not " + ctx.method() + " " + ctx.path());
        }
        ctx.attribute(USER_ATTRIBUTE, user.get());
    }
}
