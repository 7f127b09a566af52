package dev.signagefleet.management.console;

import dev.signagefleet.management.ManagementServer;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleSessions;
import dev.signagefleet.management.auth.ConsoleUsers;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the console's screens share: building the {@link Page} of a request, rendering a template
 * into the response, and showing errors as pages. The screens themselves call the same services
 * as the API; the console is another face of them, not a second implementation.
 */
public final class Console {

    private static final Pattern NOTICE_KEY = Pattern.compile("^[a-zA-Z.]{1,60}$");

    private final Templates templates = new Templates();
    private final AuthGate gate;
    private final ZoneId zone;
    private final Clock clock;
    private final LiveFragments live;

    public Console(AuthGate gate, ZoneId zone, Clock clock) {
        this.gate = gate;
        this.zone = zone;
        this.clock = clock;
        this.live = new LiveFragments();
    }

    public AuthGate gate() {
        return gate;
    }

    public Clock clock() {
        return clock;
    }

    public LiveFragments live() {
        return live;
    }

    public Templates templates() {
        return templates;
    }

    /**
     * Streams a live fragment to a page (server-sent events) for as long as its viewer's session
     * lasts; a stream opened with HTTP Basic credentials lasts until the page closes it.
     */
    public void watch(io.javalin.http.sse.SseClient client, java.util.function.Supplier<String> renderer) {
        String token = client.ctx().cookie(ConsoleSessions.COOKIE);
        // isLive, not find: an open page must not keep its session from going idle.
        live.watch(client, renderer, token == null ? () -> true : () -> gate.sessions().isLive(token));
    }

    /** The page frame of a request: the signed-in user, the CSRF token, the language, an optional notice. */
    public Page page(Context ctx, String titleKey, String active) {
        Messages m = Messages.forRequest(ctx);
        ConsoleSessions.Session session = gate.session(ctx).orElse(null);
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        if (user == null && session != null) {
            user = session.user();
        }
        String noticeKey = ctx.queryParam("notice");
        String notice = noticeKey != null && NOTICE_KEY.matcher(noticeKey).matches() ? m.t("notice." + noticeKey) : null;
        String here = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
        return new Page(m.t(titleKey), active, user, session == null ? "" : session.csrfToken(), m, zone, notice, here);
    }

    /** Renders a page template with the page frame and the screen's own parameters. */
    public void render(Context ctx, String template, Page page, Map<String, Object> params) {
        ctx.html(html(template, page, params));
    }

    public String html(String template, Page page, Map<String, Object> params) {
        Map<String, Object> all = new LinkedHashMap<>(params);
        all.put("page", page);
        return templates.render(template, all);
    }

    /** Errors of console pages as a page in the user's language, with the same detail as the API's problem. */
    public ManagementServer.ProblemPage problemPage() {
        return (ctx, problem) -> {
            Page page = page(ctx, "error.title", "");
            ctx.html(html("error", page, Map.of("problem", problem)));
        };
    }
}
