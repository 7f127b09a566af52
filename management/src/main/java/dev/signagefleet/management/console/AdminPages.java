package dev.signagefleet.management.console;

import dev.signagefleet.common.sqs.DeadLetters;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleSessions;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.QueryParams;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.problem.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Admin screens: dead letters (inspect, redrive, discard) and console users (add, reset a password). */
public final class AdminPages implements Routes {

    private static final Logger log = LoggerFactory.getLogger(AdminPages.class);
    static final int MIN_PASSWORD_LENGTH = 12;

    private final Console console;
    private final DeadLetters deadLetters;
    private final ConsoleUsers users;
    private final ConsoleSessions sessions;

    public AdminPages(Console console, DeadLetters deadLetters, ConsoleUsers users, ConsoleSessions sessions) {
        this.console = console;
        this.deadLetters = deadLetters;
        this.users = users;
        this.sessions = sessions;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/console/dead-letters", this::deadLetters, Role.ADMIN);
        routes.get("/console/dead-letters/{id}", this::deadLetter, Role.ADMIN);
        routes.post("/console/dead-letters/{id}/redrive", ctx -> resolve(ctx, true), Role.ADMIN);
        routes.post("/console/dead-letters/{id}/discard", ctx -> resolve(ctx, false), Role.ADMIN);
        routes.get("/console/users", this::users, Role.ADMIN);
        routes.post("/console/users", this::saveUser, Role.ADMIN);
    }

    private void deadLetters(Context ctx) {
        String state = ctx.queryParam("state");
        if (state == null || !state.matches("dead|redriven|discarded|all")) {
            state = "dead";
        }
        Page page = console.page(ctx, "deadLetters.title", "dead-letters");
        console.render(ctx, "dead_letters", page, Map.of("letters", deadLetters.list(state.equals("all") ? null : state, 200),
                "state", state, "now", console.clock().instant()));
    }

    private void deadLetter(Context ctx) {
        long id = QueryParams.pathId(ctx, "Dead letter");
        DeadLetters.DeadLetter letter = deadLetters.find(id).orElseThrow(() -> ApiException.notFound("Dead letter", String.valueOf(id)));
        Page page = console.page(ctx, "deadLetters.one.title", "dead-letters");
        console.render(ctx, "dead_letter", page, Map.of("letter", letter, "payload", pretty(letter.payload())));
    }

    private void resolve(Context ctx, boolean redrive) {
        long id = QueryParams.pathId(ctx, "Dead letter");
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        Optional<DeadLetters.DeadLetter> done = redrive ? deadLetters.redrive(id, user.username()) : deadLetters.discard(id, user.username());
        if (done.isEmpty()) {
            throw new ApiException(409, "not-dead", "Not a pending dead letter",
                    "Dead letter " + id + " does not exist or was already redriven or discarded");
        }
        log.info("User '{}' {} dead letter {} ({} on {})", user.username(), redrive ? "redrove" : "discarded", id,
                done.get().eventType(), done.get().queue());
        ctx.redirect("/console/dead-letters/" + id + "?notice=" + (redrive ? "redriven" : "discarded"), HttpStatus.SEE_OTHER);
    }

    private void users(Context ctx) {
        Page page = console.page(ctx, "users.title", "users");
        console.render(ctx, "users", page, Map.of("users", users.list(), "error", ""));
    }

    /** Adds a user, or sets an existing user's role and password (which signs them out everywhere). */
    private void saveUser(Context ctx) {
        String username = Optional.ofNullable(ctx.formParam("username")).orElse("").trim();
        String password = Optional.ofNullable(ctx.formParam("password")).orElse("");
        String roleName = Optional.ofNullable(ctx.formParam("role")).orElse("viewer");
        Page page = console.page(ctx, "users.title", "users");
        String error = null;
        if (!username.matches("^[A-Za-z0-9_.@-]{1,64}$")) {
            error = page.t("users.badName");
        } else if (password.length() < MIN_PASSWORD_LENGTH || password.length() > 1024) {
            error = page.t("users.badPassword", MIN_PASSWORD_LENGTH);
        } else if (!roleName.equals("admin") && !roleName.equals("viewer")) {
            error = page.t("users.badRole");
        } else if (username.equals(ConsoleUsers.ADMIN) && !roleName.equals("admin")) {
            error = page.t("users.adminStaysAdmin");
        }
        if (error != null) {
            ctx.status(HttpStatus.BAD_REQUEST);
            Map<String, Object> params = new HashMap<>();
            params.put("users", users.list());
            params.put("error", error);
            console.render(ctx, "users", page, params);
            return;
        }
        boolean existed = users.list().stream().anyMatch(u -> u.username().equals(username));
        users.upsert(username, password, Role.fromDb(roleName));
        int ended = existed ? sessions.endAll(username) : 0;
        ConsoleUsers.User by = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        log.info("User '{}' {} console user '{}' ({}); {} session(s) ended", by.username(), existed ? "reset" : "added",
                username, roleName, ended);
        if (username.equals(by.username())) {
            ctx.redirect("/console/login?notice=passwordChanged", HttpStatus.SEE_OTHER);
            return;
        }
        ctx.redirect("/console/users?notice=" + (existed ? "userUpdated" : "userAdded"), HttpStatus.SEE_OTHER);
    }

    private static String pretty(String payload) {
        try {
            return dev.signagefleet.common.json.Json.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(dev.signagefleet.common.json.Json.mapper().readTree(payload));
        } catch (Exception e) {
            return payload; // not JSON: shown as it is
        }
    }
}
