package dev.signagefleet.management.alerts;

import dev.signagefleet.common.db.Columns;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code webhook_deliveries} table: one row per alert and webhook, from queued to delivered or
 * given up. Rows are claimed with {@code FOR UPDATE SKIP LOCKED} and leased (their next attempt is
 * pushed past the send), so several dispatchers never send the same delivery at once, and a
 * dispatcher that dies mid-send leaves it to be sent again after the lease.
 */
final class WebhookDeliveries {

    private static final String ENQUEUE_ENABLED = """
            INSERT INTO webhook_deliveries (alert_id, webhook_id, next_attempt_at, created_at)
            SELECT :alertId, w.id, :now, :now FROM webhooks w WHERE w.enabled
            ON CONFLICT (alert_id, webhook_id) DO NOTHING
            """;
    private static final String ENQUEUE_ONE = """
            INSERT INTO webhook_deliveries (alert_id, webhook_id, next_attempt_at, created_at)
            VALUES (:alertId, :webhookId, :now, :now)
            ON CONFLICT (alert_id, webhook_id) DO NOTHING
            """;
    // Deliveries of a disabled webhook wait (they go out if it is enabled again).
    private static final String CLAIM = """
            WITH due AS (
                SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.state = 'pending' AND d.next_attempt_at <= :now AND w.enabled
                ORDER BY d.next_attempt_at
                LIMIT :limit
                FOR UPDATE OF d SKIP LOCKED),
            leased AS (
                UPDATE webhook_deliveries d SET next_attempt_at = :leaseUntil FROM due WHERE d.id = due.id
                RETURNING d.id, d.alert_id, d.webhook_id, d.attempts)
            SELECT l.id AS delivery_id, l.attempts, w.id AS webhook_id, w.url, w.secret,
                   a.id, a.rule_id, a.kind, a.subject, a.group_name, a.device_count, a.device_ids, a.message, a.raised_at
            FROM leased l JOIN webhooks w ON w.id = l.webhook_id JOIN alerts a ON a.id = l.alert_id
            ORDER BY a.id, w.id
            """;
    private static final String DELIVERED = """
            UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, last_status = :status,
                last_error = NULL, last_attempt_at = :now, delivered_at = :now
            WHERE id = :id
            """;
    private static final String FAILED_ATTEMPT = """
            UPDATE webhook_deliveries SET state = :state, attempts = attempts + 1, last_status = :status,
                last_error = :error, last_attempt_at = :now, next_attempt_at = :next
            WHERE id = :id
            """;
    private static final String LOG = """
            SELECT d.id, d.alert_id, a.kind, a.subject, d.webhook_id, w.url, d.state, d.attempts, d.next_attempt_at,
                   d.last_status, d.last_error, d.created_at, d.last_attempt_at, d.delivered_at
            FROM webhook_deliveries d JOIN alerts a ON a.id = d.alert_id JOIN webhooks w ON w.id = d.webhook_id
            ORDER BY d.created_at DESC, d.alert_id DESC, d.webhook_id
            LIMIT :limit
            """;

    /** A delivery whose turn has come, with what is needed to send it (including the secret). */
    record Due(UUID id, int attempts, long webhookId, String url, String secret, Alert alert) {

        @Override
        public String toString() {
            return "Due[" + id + ", alert " + alert.id() + " to webhook " + webhookId + " " + Webhook.redact(url) + "]";
        }
    }

    private final Jdbi jdbi;

    WebhookDeliveries(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Queues the alert for every enabled webhook; returns how many. */
    int enqueueForEnabled(Handle handle, long alertId, Instant now) {
        return handle.createUpdate(ENQUEUE_ENABLED).bind("alertId", alertId).bind("now", Timestamp.from(now)).execute();
    }

    void enqueue(Handle handle, long alertId, long webhookId, Instant now) {
        handle.createUpdate(ENQUEUE_ONE).bind("alertId", alertId).bind("webhookId", webhookId)
                .bind("now", Timestamp.from(now)).execute();
    }

    /** Claims up to {@code limit} due deliveries and hides them from other dispatchers until {@code leaseUntil}. */
    List<Due> claim(Instant now, Instant leaseUntil, int limit) {
        return jdbi.inTransaction(handle -> handle.createQuery(CLAIM)
                .bind("now", Timestamp.from(now))
                .bind("leaseUntil", Timestamp.from(leaseUntil))
                .bind("limit", limit)
                .map((rs, ctx) -> new Due(rs.getObject("delivery_id", UUID.class), rs.getInt("attempts"),
                        rs.getLong("webhook_id"), rs.getString("url"), rs.getString("secret"), Alert.read(rs)))
                .list());
    }

    void delivered(UUID id, int status, Instant now) {
        jdbi.useHandle(handle -> handle.createUpdate(DELIVERED).bind("id", id).bind("status", status)
                .bind("now", Timestamp.from(now)).execute());
    }

    /** Records a failed attempt: to be tried again at {@code next}, or given up when {@code next} is null. */
    void failed(UUID id, Integer status, String error, Instant now, Instant next) {
        jdbi.useHandle(handle -> handle.createUpdate(FAILED_ATTEMPT)
                .bind("id", id)
                .bind("state", next == null ? WebhookDelivery.FAILED : WebhookDelivery.PENDING)
                .bind("status", status)
                .bind("error", error.length() > 500 ? error.substring(0, 500) : error)
                .bind("now", Timestamp.from(now))
                .bind("next", Timestamp.from(next == null ? now : next))
                .execute());
    }

    /** The newest deliveries first. */
    List<WebhookDelivery> log(int limit) {
        return jdbi.withHandle(handle -> handle.createQuery(LOG).bind("limit", limit)
                .map((rs, ctx) -> new WebhookDelivery(rs.getObject("id", UUID.class), rs.getLong("alert_id"),
                        rs.getString("kind"), rs.getString("subject"), rs.getLong("webhook_id"),
                        Webhook.redact(rs.getString("url")), rs.getString("state"), rs.getInt("attempts"),
                        Columns.instant(rs, "next_attempt_at"), Columns.intOrNull(rs, "last_status"),
                        rs.getString("last_error"), Columns.instant(rs, "created_at"),
                        Columns.instant(rs, "last_attempt_at"), Columns.instant(rs, "delivered_at")))
                .list());
    }
}
