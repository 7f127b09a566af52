package dev.signagefleet.common.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signagefleet.common.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** CloudEvents JSON structured mode (used on SQS): the attributes and the data in one JSON object. */
public final class StructuredEventJson {

    private StructuredEventJson() {
    }

    public static String write(Event event) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("specversion", Event.SPEC_VERSION);
        node.put("id", event.id());
        node.put("source", event.source());
        node.put("type", event.type());
        if (event.subject() != null) {
            node.put("subject", event.subject());
        }
        node.put("time", event.time().toString());
        node.put("datacontenttype", Event.DATA_CONTENT_TYPE);
        if (event.correlationId() != null) {
            node.put("correlationid", event.correlationId());
        }
        if (event.traceparent() != null) {
            node.put("traceparent", event.traceparent());
        }
        node.set("data", event.data());
        return node.toString();
    }

    /** Parses a structured event; throws {@link MalformedEventException} saying what is wrong. */
    public static Event read(String json) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new MalformedEventException("not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new MalformedEventException("not a JSON object");
        }
        if (!Event.SPEC_VERSION.equals(text(node, "specversion", true))) {
            throw new MalformedEventException("specversion must be 1.0");
        }
        Instant time;
        try {
            time = Instant.parse(text(node, "time", true));
        } catch (DateTimeParseException e) {
            throw new MalformedEventException("time is not an ISO-8601 instant");
        }
        JsonNode data = node.get("data");
        if (data == null || data.isNull()) {
            throw new MalformedEventException("data is missing");
        }
        return new Event(text(node, "id", true), text(node, "source", true), text(node, "type", true),
                text(node, "subject", false), time, text(node, "correlationid", false),
                text(node, "traceparent", false), data);
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new MalformedEventException(field + " is missing");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new MalformedEventException(field + " must be a string");
        }
        return value.asText();
    }
}
