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
import org.jdbi.v3.core.statement.PreparedBatch;

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
        Event event = event(change);
        insert(handle, List.of(event));
        return event;
    }

    private static Event event(ConnectivityChange change) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("deviceId", change.deviceId());
        data.put("group", change.group());
        data.put("connectivity", change.current().dbValue());
        data.put("previous", change.previous().dbValue());
        data.put("reason", change.reason());
        data.put("since", change.at().toString());
        data.put("lastSeenAt", change.lastSeenAt() == null ? null : change.lastSeenAt().toString());
        data.put("bootId", change.bootId());
        return deviceEvent(change.eventType(), change.deviceId(), change.at(), data);
    }

    private static Event deviceEvent(String type, String deviceId, Instant at, Map<String, Object> data) {
        // A device's story is one journey: correlate its events by device.
        return Event.create(SOURCE, type, deviceId, at, "device:" + deviceId, TraceParent.newTrace(), data);
    }

    /** Records one event of a device: {@code data} becomes the event's data. */
    public Event record(Handle handle, String type, String deviceId, Instant at, Map<String, Object> data) {
        Event event = deviceEvent(type, deviceId, at, data);
        insert(handle, List.of(event));
        return event;
    }

    /**
     * Records the changes in their order with two statements in all (JDBC batches), not two per change:
     * when a whole fleet comes online (or back after a broker restart) a batch holds hundreds of them.
     */
    public int recordAll(Handle handle, List<ConnectivityChange> changes) {
        insert(handle, changes.stream().map(DeviceEventLog::event).toList());
        return changes.size();
    }

    private static void insert(Handle handle, List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        PreparedBatch batch = handle.prepareBatch(INSERT);
        for (Event event : events) {
            batch.bind("eventId", UUID.fromString(event.id()))
                    .bind("deviceId", event.subject())
                    .bind("type", event.type())
                    .bind("occurredAt", Timestamp.from(event.time()))
                    .bind("data", event.data().toString())
                    .add();
        }
        batch.execute();
        Outbox.appendAll(handle, events);
    }
}
