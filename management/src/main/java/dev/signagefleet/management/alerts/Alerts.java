package dev.signagefleet.management.alerts;

import dev.signagefleet.common.db.Columns;
import dev.signagefleet.common.security.PasswordHasher;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Alert rules, webhooks, raised alerts and their delivery log: what the console lists and changes.
 * Owns {@code alert_rules}, {@code webhooks}, {@code alerts} and {@code alerted_devices}; the
 * deliveries are {@link WebhookDeliveries}'.
 */
public final class Alerts {

    static final Duration MAX_THRESHOLD = Duration.ofDays(30);
    static final int MAX_URL_LENGTH = 2000;

    private static final String RULE_COLUMNS = """
            SELECT id, kind, group_name, threshold_seconds, enabled, created_by, created_at FROM alert_rules
            """;
    private static final String INSERT_RULE = """
            INSERT INTO alert_rules (kind, group_name, threshold_seconds, enabled, created_by, created_at)
            VALUES (:kind, :group, :threshold, true, :by, :now)
            RETURNING id
            """;
    private static final String WEBHOOK_COLUMNS = """
            SELECT id, url, enabled, created_by, created_at FROM webhooks
            """;
    private static final String INSERT_WEBHOOK = """
            INSERT INTO webhooks (url, secret, enabled, created_by, created_at)
            VALUES (:url, :secret, true, :by, :now)
            RETURNING id
            """;
    private static final String ALERT_COLUMNS = """
            SELECT id, rule_id, kind, subject, group_name, device_count, device_ids, message, raised_at FROM alerts
            """;
    private static final String INSERT_ALERT = """
            INSERT INTO alerts (rule_id, kind, subject, group_name, device_count, device_ids, message, raised_at, dedup_key)
            VALUES (:ruleId, :kind, :subject, :group, :count, CAST(:ids AS text[]), :message, :now, :dedupKey)
            ON CONFLICT (dedup_key) DO NOTHING
            RETURNING id
            """;
    private static final String MARK_DEVICE = """
            INSERT INTO alerted_devices (rule_id, device_id, since, kind, alert_id)
            VALUES (:ruleId, :deviceId, :since, :kind, :alertId)
            ON CONFLICT (rule_id, device_id, since) DO NOTHING
            """;

    private final Jdbi jdbi;
    private final Clock clock;
    private final WebhookDeliveries deliveries;

    public Alerts(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.deliveries = new WebhookDeliveries(jdbi);
    }

    /** A new webhook and its signing secret, shown only this once. */
    public record CreatedWebhook(Webhook webhook, String secret) {

        @Override
        public String toString() {
            return "CreatedWebhook[" + webhook + ", secret=****]";
        }
    }

    /** A device whose condition an alert covers, and since when the condition holds. */
    record AlertedDevice(String deviceId, Instant since) {
    }

    /**
     * An alert the engine wants to raise.
     *
     * @param devices  every device covered (all are marked; at most {@link Alert#MAX_LISTED_DEVICES} are listed)
     * @param dedupKey the same condition always gives the same key, so it is raised once
     */
    record NewAlert(long ruleId, AlertKind kind, String subject, String group, List<AlertedDevice> devices,
                    String message, String dedupKey) {
    }

    // --- rules ---

    public List<AlertRule> rules() {
        return jdbi.withHandle(h -> h.createQuery(RULE_COLUMNS + " ORDER BY id").map((rs, ctx) -> rule(rs)).list());
    }

    List<AlertRule> enabledRules() {
        return jdbi.withHandle(h -> h.createQuery(RULE_COLUMNS + " WHERE enabled ORDER BY id").map((rs, ctx) -> rule(rs)).list());
    }

    /**
     * Adds an enabled rule.
     *
     * @param group     only this group's devices (or uploads); empty or blank for every group
     * @param threshold how long the condition must hold; required for offline and out-of-sync rules, ignored otherwise
     * @throws InvalidAlertSettingException naming the field at fault
     */
    public AlertRule addRule(AlertKind kind, String group, Duration threshold, String createdBy) {
        if (kind == null) {
            throw new InvalidAlertSettingException("kind", "choose one of device_offline, device_online, "
                    + "content_out_of_sync, upload_failed");
        }
        String g = group == null || group.isBlank() ? null : group.trim();
        if (g != null && !DeviceRegistry.ID.matcher(g).matches()) {
            throw new InvalidAlertSettingException("group", "group names use letters, digits, _ and - (at most 64)");
        }
        Duration t = kind.needsThreshold() ? threshold : null;
        if (kind.needsThreshold() && (t == null || t.isNegative() || t.compareTo(MAX_THRESHOLD) > 0)) {
            throw new InvalidAlertSettingException("threshold", "between 0 and " + MAX_THRESHOLD.toDays() + " days");
        }
        Instant now = clock.instant();
        long id = jdbi.withHandle(h -> h.createQuery(INSERT_RULE)
                .bind("kind", kind.dbValue())
                .bind("group", g)
                .bind("threshold", t == null ? null : (int) t.toSeconds())
                .bind("by", createdBy)
                .bind("now", Timestamp.from(now))
                .mapTo(Long.class).one());
        return new AlertRule(id, kind, g, t == null ? null : Duration.ofSeconds(t.toSeconds()), true, createdBy, now);
    }

    /** Enables or disables a rule; false when there is no such rule. */
    public boolean setRuleEnabled(long id, boolean enabled) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE alert_rules SET enabled = :e WHERE id = :id")
                .bind("e", enabled).bind("id", id).execute()) == 1;
    }

    /** Deletes a rule; its alerts stay in the history (without the rule). False when there is no such rule. */
    public boolean deleteRule(long id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM alert_rules WHERE id = :id").bind("id", id).execute()) == 1;
    }

    // --- webhooks ---

    public List<Webhook> webhooks() {
        return jdbi.withHandle(h -> h.createQuery(WEBHOOK_COLUMNS + " ORDER BY id").map((rs, ctx) -> webhook(rs)).list());
    }

    /**
     * Adds an enabled webhook with a new random signing secret.
     *
     * @throws InvalidAlertSettingException when the URL is not an absolute http or https URL
     */
    public CreatedWebhook addWebhook(String url, String createdBy) {
        URI uri = webhookUrl(url);
        String secret = PasswordHasher.newSecret();
        Instant now = clock.instant();
        long id = jdbi.withHandle(h -> h.createQuery(INSERT_WEBHOOK)
                .bind("url", uri.toString())
                .bind("secret", secret)
                .bind("by", createdBy)
                .bind("now", Timestamp.from(now))
                .mapTo(Long.class).one());
        return new CreatedWebhook(new Webhook(id, uri.toString(), true, createdBy, now), secret);
    }

    public boolean setWebhookEnabled(long id, boolean enabled) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE webhooks SET enabled = :e WHERE id = :id")
                .bind("e", enabled).bind("id", id).execute()) == 1;
    }

    /** Deletes a webhook and its deliveries (pending ones are not sent any more). */
    public boolean deleteWebhook(long id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM webhooks WHERE id = :id").bind("id", id).execute()) == 1;
    }

    /**
     * Queues a test alert for one enabled webhook, so its receiver can check signatures end to end.
     * Returns the test alert's id; empty when the webhook does not exist or is disabled.
     */
    public Optional<Long> sendTest(long webhookId, String requestedBy) {
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> {
            boolean enabled = h.createQuery("SELECT enabled FROM webhooks WHERE id = :id FOR SHARE")
                    .bind("id", webhookId).mapTo(Boolean.class).findOne().orElse(false);
            if (!enabled) {
                return Optional.empty();
            }
            long alertId = h.createQuery(INSERT_ALERT)
                    .bind("ruleId", (Long) null)
                    .bind("kind", Alert.TEST_KIND)
                    .bind("subject", Alert.TEST_KIND)
                    .bind("group", (String) null)
                    .bind("count", 0)
                    .bind("ids", new String[0])
                    .bind("message", "Test alert from signage-fleet, sent by " + requestedBy
                            + ". If the signature checks out, this webhook is ready.")
                    .bind("now", Timestamp.from(now))
                    .bind("dedupKey", "test:" + UUID.randomUUID())
                    .mapTo(Long.class).one();
            deliveries.enqueue(h, alertId, webhookId, now);
            return Optional.of(alertId);
        });
    }

    // --- alerts and deliveries ---

    /** The newest alerts first. */
    public List<Alert> recent(int limit) {
        return jdbi.withHandle(h -> h.createQuery(ALERT_COLUMNS + " ORDER BY raised_at DESC, id DESC LIMIT :limit")
                .bind("limit", limit).map((rs, ctx) -> Alert.read(rs)).list());
    }

    /** The newest deliveries first, with their state, attempts and last answer. */
    public List<WebhookDelivery> deliveries(int limit) {
        return deliveries.log(limit);
    }

    WebhookDeliveries deliveryTable() {
        return deliveries;
    }

    /**
     * Raises an alert unless its condition was raised before: marks its devices and queues it for
     * every enabled webhook, in the caller's transaction. Returns the new alert's id.
     */
    Optional<Long> raise(Handle handle, NewAlert alert, Instant now) {
        List<String> listed = alert.devices().stream().limit(Alert.MAX_LISTED_DEVICES).map(AlertedDevice::deviceId).toList();
        Optional<Long> id = handle.createQuery(INSERT_ALERT)
                .bind("ruleId", alert.ruleId())
                .bind("kind", alert.kind().dbValue())
                .bind("subject", alert.subject())
                .bind("group", alert.group())
                .bind("count", alert.devices().size())
                .bind("ids", listed.toArray(String[]::new))
                .bind("message", alert.message())
                .bind("now", Timestamp.from(now))
                .bind("dedupKey", alert.dedupKey())
                .mapTo(Long.class).findOne();
        if (id.isEmpty()) {
            return id;
        }
        if (!alert.devices().isEmpty()) {
            PreparedBatch batch = handle.prepareBatch(MARK_DEVICE);
            for (AlertedDevice d : alert.devices()) {
                batch.bind("ruleId", alert.ruleId()).bind("deviceId", d.deviceId()).bind("since", Timestamp.from(d.since()))
                        .bind("kind", alert.kind().dbValue()).bind("alertId", id.get()).add();
            }
            batch.execute();
        }
        deliveries.enqueueForEnabled(handle, id.get(), now);
        return id;
    }

    /** Parses a webhook URL at the edge: absolute http(s) with a host, no user info, bounded length. */
    static URI webhookUrl(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new InvalidAlertSettingException("url", "a URL is required");
        }
        String url = raw.trim();
        if (url.length() > MAX_URL_LENGTH) {
            throw new InvalidAlertSettingException("url", "at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidAlertSettingException("url", "not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidAlertSettingException("url", "only http:// and https:// URLs can receive webhooks");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidAlertSettingException("url", "the URL needs a host name");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidAlertSettingException("url", "no user name or password in the URL; receivers check the signature");
        }
        return uri;
    }

    private static AlertRule rule(ResultSet rs) throws SQLException {
        Integer threshold = Columns.intOrNull(rs, "threshold_seconds");
        return new AlertRule(rs.getLong("id"), AlertKind.fromDb(rs.getString("kind")), rs.getString("group_name"),
                threshold == null ? null : Duration.ofSeconds(threshold), rs.getBoolean("enabled"),
                rs.getString("created_by"), Columns.instant(rs, "created_at"));
    }

    private static Webhook webhook(ResultSet rs) throws SQLException {
        return new Webhook(rs.getLong("id"), rs.getString("url"), rs.getBoolean("enabled"), rs.getString("created_by"),
                Columns.instant(rs, "created_at"));
    }
}
