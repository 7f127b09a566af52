package dev.signagefleet.telemetry.ingest;

import java.sql.Timestamp;
import java.time.Instant;
import org.jdbi.v3.core.Handle;

/** Owns {@code quarantined_messages}: payloads that were rejected, kept with their reason and raw bytes. */
public final class Quarantine {

    private static final String INSERT = """
            INSERT INTO quarantined_messages (topic, device_id, reason, payload, payload_size, received_at)
            VALUES (:topic, :deviceId, :reason, :payload, :size, :receivedAt)
            """;

    public void add(Handle handle, TelemetryMessage.Rejected rejected, Instant receivedAt) {
        handle.createUpdate(INSERT)
                .bind("topic", rejected.topic())
                .bind("deviceId", rejected.deviceId())
                .bind("reason", rejected.reason())
                .bind("payload", rejected.payload())
                .bind("size", rejected.payload().length)
                .bind("receivedAt", Timestamp.from(receivedAt))
                .execute();
    }
}
