package dev.signagefleet.management.console;

import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleSessions;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sign in, sign out, and the language switch. */
public final class SignInPages implements Routes {

    private static final Logger log = LoggerFactory.getLogger(SignInPages.class);
    private static final int LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600;

    private final Console console;
    private final boolean secureCookies;

    /**
     * @param secureCookies mark cookies Secure (set when the console is served over HTTPS, e.g. behind a proxy)
     */
    public SignInPages(Console console, boolean secureCookies) {
        this.console = console;
        this.secureCookies = secureCookies;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/", ctx -> ctx.redirect("/console/", HttpStatus.SEE_OTHER));
        routes.get("/console/login", this::form);
        routes.post("/console/login", this::signIn);
        routes.post("/console/logout", this::signOut, Role.VIEWER);
        routes.get("/console/lang", this::language);
    }

    private void form(Context ctx) {
        if (console.gate().session(ctx).isPresent()) {
            ctx.redirect(next(ctx.queryParam("next")), HttpStatus.SEE_OTHER);
            return;
        }
        show(ctx, null, "", HttpStatus.OK);
    }

    private void show(Context ctx, String error, String username, HttpStatus status) {
        Page page = console.page(ctx, "login.title", "login");
        Map<String, Object> params = new HashMap<>();
        params.put("next", next(firstNonNull(ctx.formParam("next"), ctx.queryParam("next"))));
        params.put("error", error);
        params.put("username", username);
        ctx.status(status);
        console.render(ctx, "login", page, params);
    }

    private void signIn(Context ctx) {
        String username = firstNonNull(ctx.formParam("username"), "").trim();
        String shownBack = username.length() > 64 ? "" : username; // the form field holds 64 at most
        String password = firstNonNull(ctx.formParam("password"), "");
        Messages m = Messages.forRequest(ctx);
        AuthGate.Login login = console.gate().login(username, password, ctx.ip(), "console");
        if (login instanceof AuthGate.Login.Throttled throttled) {
            ctx.header("Retry-After", String.valueOf(Math.max(1, throttled.retryAfter().toSeconds())));
            show(ctx, m.t("login.throttled", Math.max(1, throttled.retryAfter().toSeconds())), shownBack, HttpStatus.TOO_MANY_REQUESTS);
            return;
        }
        if (login instanceof AuthGate.Login.Refused) {
            show(ctx, m.t("login.refused"), shownBack, HttpStatus.UNAUTHORIZED);
            return;
        }
        ConsoleSessions.Started started = console.gate().sessions().start(((AuthGate.Login.Accepted) login).user());
        Cookie cookie = new Cookie(ConsoleSessions.COOKIE, started.cookieToken(), "/", (int) ConsoleSessions.ABSOLUTE.toSeconds(),
                secureCookies, true, null, SameSite.STRICT);
        ctx.cookie(cookie);
        log.info("User '{}' signed in to the console from {}", started.session().user().username(), ctx.ip());
        ctx.redirect(next(ctx.formParam("next")), HttpStatus.SEE_OTHER);
    }

    private void signOut(Context ctx) {
        console.gate().sessions().end(ctx.cookie(ConsoleSessions.COOKIE));
        ctx.removeCookie(ConsoleSessions.COOKIE, "/");
        ctx.redirect("/console/login?notice=signedOut", HttpStatus.SEE_OTHER);
    }

    private void language(Context ctx) {
        String to = ctx.queryParam("to");
        if (to != null && Messages.LANGUAGES.contains(to)) {
            ctx.cookie(new Cookie(Messages.COOKIE, to, "/", LANGUAGE_COOKIE_SECONDS, secureCookies, true, null, SameSite.LAX));
        }
        String back = ctx.queryParam("next");
        boolean toLogin = back != null && back.startsWith("/console/login") && !back.contains("\\") && back.length() <= 2000;
        ctx.redirect(toLogin ? back : next(back), HttpStatus.SEE_OTHER);
    }

    /** Where to go after signing in: only a console path of this server, never another site. */
    static String next(String requested) {
        if (requested == null || !requested.startsWith("/console/") || requested.startsWith("//")
                || requested.contains("\\") || requested.startsWith("/console/login") || requested.length() > 2000) {
            return "/console/";
        }
        return requested;
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
