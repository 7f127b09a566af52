package dev.signagefleet.telemetry.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.telemetry.presence.Presence;
import dev.signagefleet.telemetry.status.DeviceStatus;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates raw MQTT messages at the edge: the topic names the device, the payload is JSON of the
 * documented shape, the {@code deviceId} inside matches the topic, every field has the right type.
 * Unknown fields are ignored. Anything else becomes {@link TelemetryMessage.Rejected} with a reason
 * a person can act on.
 */
public final class TelemetryDecoder {

    private static final Pattern TOPIC = Pattern.compile("^dt/signage/([A-Za-z0-9_-]{1,64})/(status|presence)$");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    /** Longer content errors are cut to this many characters. */
    static final int MAX_CONTENT_ERROR = 500;
    private static final int MAX_TEXT = 200;
    /** Times before this are not from a terminal's clock (PostgreSQL could store them, but nothing sensible). */
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    /** A terminal clock further ahead than this would freeze the order rule: the message is quarantined. */
    public static final Duration MAX_CLOCK_AHEAD = Duration.ofDays(1);

    private final int maxPayloadBytes;
    private final Clock clock;
    private final ObjectMapper mapper;

    public TelemetryDecoder(int maxPayloadBytes, Clock clock) {
        this.maxPayloadBytes = maxPayloadBytes;
        this.clock = clock;
        this.mapper = Json.mapper().copy();
        this.mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(20).maxStringLength(maxPayloadBytes).maxNumberLength(40).build());
    }

    public TelemetryMessage decode(String topic, byte[] payload) {
        Matcher m = TOPIC.matcher(topic);
        if (!m.matches()) {
            return new TelemetryMessage.Rejected(topic, null, "unexpected topic (expected dt/signage/{deviceId}/status or /presence)", payload);
        }
        String deviceId = m.group(1);
        if (payload.length > maxPayloadBytes) {
            return new TelemetryMessage.Rejected(topic, deviceId,
                    "payload too large: " + payload.length + " bytes, limit " + maxPayloadBytes, payload);
        }
        JsonNode root;
        try {
            root = mapper.readTree(payload);
        } catch (JsonProcessingException e) {
            return new TelemetryMessage.Rejected(topic, deviceId, "not valid JSON: " + e.getOriginalMessage(), payload);
        } catch (IOException e) {
            return new TelemetryMessage.Rejected(topic, deviceId, "unreadable payload: " + e.getMessage(), payload);
        }
        if (root == null || !root.isObject()) {
            return new TelemetryMessage.Rejected(topic, deviceId, "payload must be a JSON object", payload);
        }
        try {
            Fields f = new Fields(root);
            long v = f.requiredLong("v");
            if (v != 1) {
                throw new InvalidField("v must be 1 (this consumer understands version 1), was " + v);
            }
            String inside = f.requiredText("deviceId", 64);
            if (!inside.equals(deviceId)) {
                throw new InvalidField("deviceId " + quote(inside) + " does not match the topic's device '" + deviceId + "'");
            }
            if (m.group(2).equals("status")) {
                return new TelemetryMessage.StatusReport(topic, status(f, deviceId));
            }
            return new TelemetryMessage.PresenceReport(topic, presence(f, deviceId));
        } catch (InvalidField e) {
            return new TelemetryMessage.Rejected(topic, deviceId, e.getMessage(), payload);
        }
    }

    /** A value echoed in a reason: control characters replaced, at most 64 characters, quoted. */
    static String quote(String value) {
        return "'" + clean(value, 64) + "'";
    }

    /** Text fit for a reason or a log line: control characters replaced, length bounded. */
    static String clean(String value, int maxLength) {
        String clean = CONTROL.matcher(value == null ? "" : value).replaceAll("?");
        return clean.length() > maxLength ? clean.substring(0, maxLength) + "..." : clean;
    }

    private DeviceStatus status(Fields f, String deviceId) {
        long seq = f.requiredLong("seq");
        if (seq < 1) {
            throw new InvalidField("seq must be 1 or more, was " + seq);
        }
        Double cpuLoad = f.optionalDouble("cpuLoad");
        if (cpuLoad != null && (cpuLoad < 0 || cpuLoad > 1)) {
            throw new InvalidField("cpuLoad must be between 0 and 1, was " + cpuLoad);
        }
        String display = f.optionalText("display", 16);
        if (display != null && !display.matches("on|off|unknown")) {
            throw new InvalidField("display must be on, off or unknown, was " + quote(display));
        }
        return new DeviceStatus(
                deviceId,
                f.requiredText("bootId", 64),
                seq,
                time(f, "sentAt"),
                f.optionalText("agentVersion", 64),
                f.optionalNonNegativeLong("uptimeSec"),
                cpuLoad,
                f.optionalNonNegativeLong("memUsedMb"),
                f.optionalNonNegativeLong("memTotalMb"),
                f.optionalNonNegativeLong("diskFreeMb"),
                f.optionalDouble("temperatureC"),
                display,
                f.optionalText("contentVersion", 128),
                f.optionalFreeText("contentError", MAX_CONTENT_ERROR),
                f.optionalText("ip", 64),
                f.optionalText("os", MAX_TEXT),
                f.optionalNonNegativeLong("droppedWhileOffline"));
    }

    private Presence presence(Fields f, String deviceId) {
        String state = f.requiredText("state", 16);
        if (!state.equals("online") && !state.equals("offline")) {
            throw new InvalidField("state must be online or offline, was " + quote(state));
        }
        Long conn = f.optionalNonNegativeLong("conn");
        if (conn != null && conn > Integer.MAX_VALUE) {
            throw new InvalidField("conn is too large");
        }
        return new Presence(deviceId, f.requiredText("bootId", 64), state.equals("online"), time(f, "at"),
                conn == null ? 0 : conn.intValue(), f.optionalText("reason", 64));
    }

    private Instant time(Fields f, String name) {
        Instant t = f.requiredInstant(name);
        if (t.isBefore(EARLIEST)) {
            throw new InvalidField(name + " is before 1970 (" + t + "): the terminal's clock is not set");
        }
        if (t.isAfter(clock.instant().plus(MAX_CLOCK_AHEAD))) {
            throw new InvalidField(name + " " + t + " is more than a day ahead of the server's clock: fix the terminal's clock (NTP)");
        }
        return t;
    }

    /** A field is missing or has the wrong type; the message names it. */
    private static final class InvalidField extends RuntimeException {
        InvalidField(String message) {
            super(message, null, false, false);
        }
    }

    /** Typed access to the fields of one JSON object, failing with the field's name. */
    private record Fields(JsonNode node) {

        JsonNode present(String name) {
            JsonNode value = node.get(name);
            return value == null || value.isNull() ? null : value;
        }

        String requiredText(String name, int maxLength) {
            String value = optionalText(name, maxLength);
            if (value == null || value.isEmpty()) {
                throw new InvalidField(name + " is required");
            }
            return value;
        }

        String optionalText(String name, int maxLength) {
            JsonNode value = present(name);
            if (value == null) {
                return null;
            }
            if (!value.isTextual()) {
                throw new InvalidField(name + " must be a string");
            }
            if (value.asText().length() > maxLength) {
                throw new InvalidField(name + " is longer than " + maxLength + " characters");
            }
            if (CONTROL.matcher(value.asText()).find()) {
                throw new InvalidField(name + " contains control characters: " + quote(value.asText()));
            }
            return value.asText();
        }

        /**
         * Text for humans: control characters become spaces and an over-long text is cut (with an
         * ellipsis) instead of refusing the whole status, which carries more than this one field.
         */
        String optionalFreeText(String name, int maxLength) {
            JsonNode value = present(name);
            if (value == null) {
                return null;
            }
            if (!value.isTextual()) {
                throw new InvalidField(name + " must be a string");
            }
            String text = CONTROL.matcher(value.asText()).replaceAll(" ").strip();
            if (text.isEmpty()) {
                return null;
            }
            if (text.length() <= maxLength) {
                return text;
            }
            int cut = Character.isHighSurrogate(text.charAt(maxLength - 2)) ? maxLength - 2 : maxLength - 1;
            return text.substring(0, cut) + "\u2026";
        }

        long requiredLong(String name) {
            Long value = optionalLong(name);
            if (value == null) {
                throw new InvalidField(name + " is required");
            }
            return value;
        }

        Long optionalLong(String name) {
            JsonNode value = present(name);
            if (value == null) {
                return null;
            }
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw new InvalidField(name + " must be a whole number");
            }
            return value.asLong();
        }

        Long optionalNonNegativeLong(String name) {
            Long value = optionalLong(name);
            if (value != null && value < 0) {
                throw new InvalidField(name + " must not be negative, was " + value);
            }
            return value;
        }

        Double optionalDouble(String name) {
            JsonNode value = present(name);
            if (value == null) {
                return null;
            }
            if (!value.isNumber()) {
                throw new InvalidField(name + " must be a number");
            }
            double d = value.asDouble();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new InvalidField(name + " must be a finite number");
            }
            return d;
        }

        Instant requiredInstant(String name) {
            String text = requiredText(name, 64);
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                throw new InvalidField(name + " must be an ISO-8601 time with offset (e.g. 2026-11-23T09:00:00Z), was " + quote(text));
            }
        }
    }
}
