package dev.signagefleet.management.alerts;

import dev.signagefleet.telemetry.connectivity.ConnectivityChange;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** Writes fleet and upload rows the way their owners leave them, so the alert engine has something to judge. */
final class FleetFixture {

    private final Jdbi jdbi;

    FleetFixture(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Empties every table the alert tests touch. */
    void reset() {
        jdbi.useHandle(h -> h.execute("""
                TRUNCATE webhook_deliveries, alerted_devices, alerts, alert_rules, webhooks, device_events,
                         device_state, devices, current_content, uploads CASCADE
                """));
    }

    void device(String id, String group, String connectivity, Instant since) {
        jdbi.useHandle(h -> {
            h.createUpdate("INSERT INTO devices (device_id, group_name, registered_by) VALUES (:id, :g, 'test')")
                    .bind("id", id).bind("g", group).execute();
            h.createUpdate("""
                            INSERT INTO device_state (device_id, connectivity, connectivity_since)
                            VALUES (:id, :c, :since)
                            """)
                    .bind("id", id).bind("c", connectivity).bind("since", Timestamp.from(since)).execute();
        });
    }

    /** The device's connectivity changes as the consumer records it: state and event in one go. */
    void connectivity(String id, String connectivity, Instant at) {
        jdbi.useHandle(h -> {
            h.createUpdate("UPDATE device_state SET connectivity = :c, connectivity_since = :at WHERE device_id = :id")
                    .bind("id", id).bind("c", connectivity).bind("at", Timestamp.from(at)).execute();
            String type = connectivity.equals("online") ? ConnectivityChange.ONLINE_TYPE
                    : connectivity.equals("offline") ? ConnectivityChange.OFFLINE_TYPE : ConnectivityChange.STALE_TYPE;
            h.createUpdate("""
                            INSERT INTO device_events (event_id, device_id, type, occurred_at, data)
                            VALUES (:e, :id, :type, :at, CAST(:data AS jsonb))
                            """)
                    .bind("e", UUID.randomUUID()).bind("id", id).bind("type", type).bind("at", Timestamp.from(at))
                    .bind("data", "{\"deviceId\":\"" + id + "\",\"connectivity\":\"" + connectivity + "\"}").execute();
        });
    }

    /** The group's current content (content-registry's row). */
    void currentContent(String group, String version, Instant registeredAt) {
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO current_content (group_name, version_number, version, registered_at)
                        VALUES (:g, 1, :v, :at)
                        """)
                .bind("g", group).bind("v", version).bind("at", Timestamp.from(registeredAt)).execute());
    }

    /** What the device shows, and since when the content sync sweep has announced it out of sync (null: not). */
    void content(String id, String shown, Instant outOfSyncSince) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE device_state SET content_version = :v, content_out_of_sync_since = :since WHERE device_id = :id
                        """)
                .bind("id", id).bind("v", shown).bind("since", outOfSyncSince == null ? null : Timestamp.from(outOfSyncSince))
                .execute());
    }

    UUID upload(String filename, String status, String reason, String group, Instant createdAt, Instant updatedAt) {
        UUID id = UUID.randomUUID();
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO uploads (upload_id, sha256, filename, size_bytes, status, reason, groups, correlation_id,
                                             uploaded_by, created_at, updated_at)
                        VALUES (:id, :sha, :f, 10, :s, :r, CAST(:groups AS text[]), :c, 'test', :created, :updated)
                        """)
                .bind("id", id).bind("sha", id.toString()).bind("f", filename).bind("s", status).bind("r", reason)
                .bind("groups", group == null ? new String[0] : new String[] {group})
                .bind("c", "upload-" + id).bind("created", Timestamp.from(createdAt)).bind("updated", Timestamp.from(updatedAt))
                .execute());
        return id;
    }
}
