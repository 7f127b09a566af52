package dev.signagefleet.management.deadletters;

import dev.signagefleet.common.sqs.DeadLetters;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.QueryParams;
import dev.signagefleet.management.problem.ApiException;
import dev.signagefleet.management.http.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;

/** {@code /api/dead-letters}: messages a queue gave up on, with the reason; redrive or discard (admin). */
public final class DeadLetterRoutes implements Routes {

    private final DeadLetters deadLetters;

    public DeadLetterRoutes(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/dead-letters", this::list, Role.ADMIN);
        routes.get("/api/dead-letters/{id}", this::one, Role.ADMIN);
        routes.post("/api/dead-letters/{id}/redrive", ctx -> resolve(ctx, true), Role.ADMIN);
        routes.post("/api/dead-letters/{id}/discard", ctx -> resolve(ctx, false), Role.ADMIN);
    }

    private void list(Context ctx) {
        String state = QueryParams.text(ctx, "state", 16);
        if (state != null && !state.matches("dead|redriven|discarded")) {
            throw ApiException.badRequest("state", "state must be dead, redriven or discarded");
        }
        ctx.json(Map.of("items", deadLetters.list(state, QueryParams.integer(ctx, "limit", 100, 1, 1000))));
    }

    private void one(Context ctx) {
        long id = QueryParams.pathId(ctx, "Dead letter");
        ctx.json(deadLetters.find(id).orElseThrow(() -> ApiException.notFound("Dead letter", String.valueOf(id))));
    }

    private void resolve(Context ctx, boolean redrive) {
        long id = QueryParams.pathId(ctx, "Dead letter");
        ConsoleUsers.User user = ctx.attribute(AuthGate.USER_ATTRIBUTE);
        var result = redrive ? deadLetters.redrive(id, user.username()) : deadLetters.discard(id, user.username());
        ctx.json(result.orElseThrow(() -> new ApiException(409, "not-dead", "Not a pending dead letter",
                "Dead letter " + id + " does not exist or was already redriven or discarded")));
    }
}
