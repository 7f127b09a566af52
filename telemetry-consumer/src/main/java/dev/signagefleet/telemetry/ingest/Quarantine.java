package dev.signagefleet.telemetry.ingest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.jdbi.v3.core.Handle;

/**
 * Owns {@code quarantined_messages}: payloads that were rejected, kept with their reason and raw
 * bytes (the first {@value #KEPT_BYTES} bytes, plus the size and SHA-256 of the whole), so a
 * misbehaving terminal cannot fill the disk.
 */
public final class Quarantine {

    /** How much of a rejected payload is kept. */
    public static final int KEPT_BYTES = 16 * 1024;

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
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
