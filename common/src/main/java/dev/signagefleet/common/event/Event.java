package dev.signagefleet.common.event;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A CloudEvents 1.0 event as the services exchange it: what happened ({@code type}), to what
 * ({@code subject}), when, and the correlation id and W3C trace context that tie a journey together.
 * An event says what happened, never what to do.
 *
 * @param id            unique per event; consumers deduplicate on it
 * @param source        the producing service, e.g. {@code /signage/telemetry-consumer}
 * @param type          e.g. {@code signage.device.offline.v1}
 * @param subject       the business id the event is about (a device id, an upload id)
 * @param time          when it happened
 * @param correlationId the journey it belongs to (an upload, a device session)
 * @param traceparent   W3C trace context of the step that produced it
 * @param data          the JSON payload
 */
public record Event(
        String id,
        String source,
        String type,
        String subject,
        Instant time,
        String correlationId,
        String traceparent,
        JsonNode data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String DATA_CONTENT_TYPE = "application/json";

    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
    }

    /** A new event with a fresh id; {@code data} is converted to JSON. */
    public static Event create(String source, String type, String subject, Instant time,
                               String correlationId, String traceparent, Object data) {
        return new Event(UUID.randomUUID().toString(), source, type, subject, time,
                correlationId, traceparent, Json.mapper().valueToTree(data));
    }
}
