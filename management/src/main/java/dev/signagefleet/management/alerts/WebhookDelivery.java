package dev.signagefleet.management.alerts;

import java.time.Instant;
import java.util.UUID;

/**
 * One alert on its way to one webhook, as the delivery log shows it.
 *
 * @param id          sent as {@code X-Signage-Delivery}; receivers deduplicate on it
 * @param state       {@code pending}, {@code delivered} or {@code failed} (given up)
 * @param lastStatus  the HTTP status of the last attempt, null when there was no answer
 * @param lastError   why the last attempt failed, null after a success
 */
public record WebhookDelivery(UUID id, long alertId, String alertKind, String alertSubject, long webhookId,
                              String webhookUrl, String state, int attempts, Instant nextAttemptAt, Integer lastStatus,
                              String lastError, Instant createdAt, Instant lastAttemptAt, Instant deliveredAt) {

    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";
}
