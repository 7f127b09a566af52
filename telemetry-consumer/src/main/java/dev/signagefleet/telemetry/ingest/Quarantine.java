package dev.signagefleet.telemetry.ingest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns {@code quarantined_messages}: payloads that were rejected, kept with their reason and raw
 * bytes (the first {@value #KEPT_BYTES} bytes, plus the size and SHA-256 of the whole), so a
 * misbehaving terminal cannot fill the disk.
 */
public final class Quarantine {

    /** How much of a rejected payload is kept. */
    public static final int KEPT_BYTES = 16 * 1024;
    /** A flood of garbage must not flood the log: at most this many lines a minute, then a count. */
    private static final int LOGGED_PER_MINUTE = 20;

    private static final Logger log = LoggerFactory.getLogger(Quarantine.class);
    private final AtomicLong minute = new AtomicLong();
    private final AtomicLong loggedThisMinute = new AtomicLong();

    private static final String INSERT = """
            INSERT INTO quarantined_messages (topic, device_id, reason, payload, payload_size, payload_sha256, received_at)
            VALUES (:topic, :deviceId, :reason, :payload, :size, :sha256, :receivedAt)
            """;

    public void add(Handle handle, TelemetryMessage.Rejected rejected, Instant receivedAt) {
        byte[] payload = rejected.payload();
        handle.createUpdate(INSERT)
                .bind("topic", rejected.topic())
                .bind("deviceId", rejected.deviceId())
                .bind("reason", rejected.reason().length() > 1000 ? rejected.reason().substring(0, 1000) : rejected.reason())
                .bind("payload", payload.length > KEPT_BYTES ? Arrays.copyOf(payload, KEPT_BYTES) : payload)
                .bind("size", payload.length)
                .bind("sha256", sha256(payload))
                .bind("receivedAt", Timestamp.from(receivedAt))
                .execute();
        long now = receivedAt.getEpochSecond() / 60;
        if (minute.getAndSet(now) != now) {
            long suppressed = loggedThisMinute.getAndSet(0) - LOGGED_PER_MINUTE;
            if (suppressed > 0) {
                log.warn("{} more rejected device messages were quarantined in the previous minute without a log line", suppressed);
            }
        }
        if (loggedThisMinute.incrementAndGet() <= LOGGED_PER_MINUTE) {
            log.warn("Quarantined a message on {} from device {}: {} (the device's software or configuration needs a fix; "
                    + "the payload is kept in quarantined_messages)", rejected.topic(),
                    rejected.deviceId() == null ? "(unknown)" : rejected.deviceId(), rejected.reason());
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
