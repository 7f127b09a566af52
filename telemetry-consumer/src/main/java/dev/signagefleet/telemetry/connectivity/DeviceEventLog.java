package dev.signagefleet.telemetry.connectivity;

import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.TraceParent;
import dev.signagefleet.common.outbox.Outbox;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Records device events (connectivity and content sync changes) as CloudEvents: in {@code device_events} for the fleet API, and in
 * the outbox (same transaction) so they are published for any other domain to subscribe to.
 */
public final class DeviceEventLog {

    /** The CloudEvents {@code source} of every event this service produces. */
    public static final String SOURCE = "/signage/telemetry-consumer";

    private static final String INSERT = """
            INSERT INTO device_events (event_id, device_id, type, occurred_at, data)
            VALUES (:eventId, :deviceId, :type, :occurredAt, CAST(:data AS jsonb))
            """;

    public Event record(Handle handle, ConnectivityChange change) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("deviceId", change.deviceId());
        data.put("group", change.group());
        data.put("connectivity", change.current().dbValue());
        data.put("previous", change.previous().dbValue());
        data.put("reason", change.reason());
        data.put("since", change.at().toString());
        data.put("lastSeenAt", change.lastSeenAt() == null ? null : change.lastSeenAt().toString());
        data.put("bootId", change.bootId());
        return record(handle, change.eventType(), change.deviceId(), change.at(), data);
    }

    /** Records one event of a device: {@code data} becomes the event's data. */
    public Event record(Handle handle, String type, String deviceId, Instant at, Map<String, Object> data) {
        // A device's story is one journey: correlate its events by device.
        Event event = Event.create(SOURCE, type, deviceId, at, "device:" + deviceId, TraceParent.newTrace(), data);
        handle.createUpdate(INSERT)
                .bind("eventId", UUID.fromString(event.id()))
                .bind("deviceId", deviceId)
                .bind("type", event.type())
                .bind("occurredAt", Timestamp.from(event.time()))
                .bind("data", event.data().toString())
                .execute();
        Outbox.append(handle, event);
        return event;
    }

    public int recordAll(Handle handle, List<ConnectivityChange> changes) {
        for (ConnectivityChange change : changes) {
            record(handle, change);
        }
        return changes.size();
    }
}
