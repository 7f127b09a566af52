package dev.signagefleet.management.console;

import dev.signagefleet.management.alerts.AlertKind;
import dev.signagefleet.management.alerts.Alerts;
import dev.signagefleet.management.alerts.InvalidAlertSettingException;
import dev.signagefleet.management.auth.AuthGate;
import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import dev.signagefleet.management.http.QueryParams;
import dev.signagefleet.management.http.Routes;
import dev.signagefleet.management.problem.ApiException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts: the latest alerts and webhook deliveries (live), the rules and the webhooks; admins add,
 * enable, disable and delete rules and webhooks and send a test alert to a webhook.
 */
public final class AlertPages implements Routes {

    private static final Logger log = LoggerFactory.getLogger(AlertPages.class);
    static final int RECENT_ALERTS = 30;
    static final int DELIVERY_LOG = 50;
    /** A month: longer conditions are not alerts any more but the state of the fleet. */
    static final int MAX_THRESHOLD_MINUTES = 43_200;

    private static final String RULE = "Alert rule";
    private static final String WEBHOOK = "Webhook";

    private final Console console;
    private final Alerts alerts;

    public AlertPages(Console console, Alerts alerts) {
        this.console = console;
        this.alerts = alerts;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/console/alerts", ctx -> show(ctx, Map.of()), Role.VIEWER);
        routes.sse("/console/live/alerts", client -> {
            Page page = console.page(client.ctx(), "alerts.title", "alerts");
            console.watch(client, () -> console.templates().render("alerts_live", liveModel(page)));
        }, Role.VIEWER);
        routes.post("/console/alerts/rules", this::addRule, Role.ADMIN);
        routes.post("/console/alerts/rules/{id}/enable",
                ctx -> act(ctx, RULE, id -> alerts.setRuleEnabled(id, true), "enabled", "alertRuleEnabled"), Role.ADMIN);
        routes.post("/console/alerts/rules/{id}/disable",
                ctx -> act(ctx, RULE, id -> alerts.setRuleEnabled(id, false), "disabled", "alertRuleDisabled"), Role.ADMIN);
        routes.post("/console/alerts/rules/{id}/delete",
                ctx -> act(ctx, RULE, alerts::deleteRule, "deleted", "alertRuleDeleted"), Role.ADMIN);
        routes.post("/console/alerts/webhooks", this::addWebhook, Role.ADMIN);
        routes.post("/console/alerts/webhooks/{id}/enable",
                ctx -> act(ctx, WEBHOOK, id -> alerts.setWebhookEnabled(id, true), "enabled", "alertWebhookEnabled"), Role.ADMIN);
        routes.post("/console/alerts/webhooks/{id}/disable",
                ctx -> act(ctx, WEBHOOK, id -> alerts.setWebhookEnabled(id, false), "disabled", "alertWebhookDisabled"), Role.ADMIN);
        routes.post("/console/alerts/webhooks/{id}/delete",
                ctx -> act(ctx, WEBHOOK, alerts::deleteWebhook, "deleted", "alertWebhookDeleted"), Role.ADMIN);
        routes.post("/console/alerts/webhooks/{id}/test", this::sendTest, Role.ADMIN);
    }

    /** The page; {@code problems} holds a rejected form's errors by field ({@code kind}, {@code group}, {@code threshold}, {@code url}). */
    private void show(Context ctx, Map<String, String> problems) {
        Page page = console.page(ctx, "alerts.title", "alerts");
        Map<String, Object> params = new HashMap<>(liveModel(page));
        params.put("rules", alerts.rules());
        params.put("webhooks", alerts.webhooks());
        params.put("kinds", List.of(AlertKind.values()));
        params.put("problems", problems);
        console.render(ctx, "alerts", page, params);
    }

    private Map<String, Object> liveModel(Page page) {
        return Map.of("page", page, "alerts", alerts.recent(RECENT_ALERTS), "deliveries", alerts.deliveries(DELIVERY_LOG),
                "now", console.clock().instant());
    }

    private void addRule(Context ctx) {
        String kindValue = Optional.ofNullable(ctx.formParam("kind")).orElse("");
        AlertKind kind = AlertKind.parseOrNull(kindValue);
        try {
            Duration threshold = kind != null && kind.needsThreshold() ? minutes(ctx.formParam("thresholdMinutes")) : null;
            var rule = alerts.addRule(kind, ctx.formParam("group"), threshold, user(ctx).username());
            log.info("User '{}' added alert rule {} ({}, group {}, threshold {})", user(ctx).username(), rule.id(),
                    rule.kind().dbValue(), rule.group() == null ? "all" : rule.group(), rule.threshold());
            ctx.redirect("/console/alerts?notice=alertRuleAdded", HttpStatus.SEE_OTHER);
        } catch (InvalidAlertSettingException e) {
            rejected(ctx, e);
        }
    }

    private static Duration minutes(String value) {
        try {
            int m = Integer.parseInt(value == null ? "" : value.trim());
            if (m < 0 || m > MAX_THRESHOLD_MINUTES) {
                throw new InvalidAlertSettingException("threshold", "between 0 and " + MAX_THRESHOLD_MINUTES + " minutes");
            }
            return Duration.ofMinutes(m);
        } catch (NumberFormatException e) {
            throw new InvalidAlertSettingException("threshold", "a whole number of minutes");
        }
    }

    /** The one time a webhook's secret is shown: not by redirect, since nothing keeps it to show it again. */
    private void addWebhook(Context ctx) {
        try {
            Alerts.CreatedWebhook created = alerts.addWebhook(ctx.formParam("url"), user(ctx).username());
            log.info("User '{}' added webhook {} ({})", user(ctx).username(), created.webhook().id(),
                    created.webhook().redactedUrl());
            Page page = console.page(ctx, "alerts.secret.title", "alerts");
            console.render(ctx, "alerts_webhook_secret", page, Map.of("webhook", created.webhook(), "secret", created.secret()));
        } catch (InvalidAlertSettingException e) {
            rejected(ctx, e);
        }
    }

    private void sendTest(Context ctx) {
        long id = QueryParams.pathId(ctx, WEBHOOK);
        Optional<Long> alert = alerts.sendTest(id, user(ctx).username());
        if (alert.isPresent()) {
            log.info("User '{}' sent test alert {} to webhook {}", user(ctx).username(), alert.get(), id);
        }
        ctx.redirect("/console/alerts?notice=" + (alert.isPresent() ? "alertTestQueued" : "alertTestNotSent"), HttpStatus.SEE_OTHER);
    }

    /** An admin action on the rule or webhook in the path: logged, then back to the page with a notice. */
    private void act(Context ctx, String what, LongPredicate action, String done, String notice) {
        long id = QueryParams.pathId(ctx, what);
        if (!action.test(id)) {
            throw ApiException.notFound(what, String.valueOf(id));
        }
        log.info("User '{}' {} {} {}", user(ctx).username(), done, what.toLowerCase(Locale.ROOT), id);
        ctx.redirect("/console/alerts?notice=" + notice, HttpStatus.SEE_OTHER);
    }

    private void rejected(Context ctx, InvalidAlertSettingException e) {
        Messages m = Messages.forRequest(ctx);
        ctx.status(HttpStatus.BAD_REQUEST);
        show(ctx, Map.of(e.field(), m.t("alerts.error." + e.field())));
    }

    private static ConsoleUsers.User user(Context ctx) {
        return ctx.attribute(AuthGate.USER_ATTRIBUTE);
    }
}
