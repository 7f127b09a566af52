package dev.signagefleet.agent.status;

import dev.signagefleet.agent.json.JsonWriter;
import dev.signagefleet.agent.metrics.Metrics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One status report, as published on {@code dt/signage/{deviceId}/status}. {@code bootId} and
 * {@code seq} identify it: the consumer orders and deduplicates by them, so a report that is
 * resent after an outage keeps both, and its original {@code sentAt}.
 *
 * @param contentError        why the assigned content is not on screen; empty once it is
 * @param droppedWhileOffline statuses of this boot dropped because the offline buffer was full
 */
public record DeviceStatus(
        String deviceId,
        UUID bootId,
        long seq,
        Instant sentAt,
        String agentVersion,
        Metrics metrics,
        Optional<String> contentVersion,
        Optional<String> contentError,
        long droppedWhileOffline) {

    /** Version of the payload format, the {@code v} field. */
    public static final int FORMAT_VERSION = 1;

    /** Milliseconds, always three digits, UTC: {@code 2026-11-23T09:00:00.123Z}. */
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public DeviceStatus {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(bootId, "bootId");
        Objects.requireNonNull(sentAt, "sentAt");
        Objects.requireNonNull(agentVersion, "agentVersion");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(contentVersion, "contentVersion");
        Objects.requireNonNull(contentError, "contentError");
    }

    public static String topic(String deviceId) {
        return "dt/signage/" + deviceId + "/status";
    }

    /** The ISO-8601 form used in every agent message. */
    public static String timestamp(Instant instant) {
        return TIMESTAMP.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }

    /**
     * The payload. Unknown metrics are left out ({@code temperatureC}, the numbers), sent as null
     * ({@code ip}, {@code contentVersion} before any content) or as {@code unknown} ({@code display}).
     * {@code contentError} is there only while there is one.
     */
    public String toJson() {
        JsonWriter json = JsonWriter.object()
                .number("v", FORMAT_VERSION)
                .string("deviceId", deviceId)
                .string("bootId", bootId.toString())
                .number("seq", seq)
                .string("sentAt", timestamp(sentAt))
                .string("agentVersion", agentVersion)
                .number("uptimeSec", metrics.uptimeSec());
        metrics.cpuLoad().ifPresent(load -> json.decimal("cpuLoad", load, 3));
        metrics.memUsedMb().ifPresent(mb -> json.number("memUsedMb", mb));
        metrics.memTotalMb().ifPresent(mb -> json.number("memTotalMb", mb));
        metrics.diskFreeMb().ifPresent(mb -> json.number("diskFreeMb", mb));
        metrics.temperatureC().ifPresent(celsius -> json.decimal("temperatureC", celsius, 1));
        json.string("display", metrics.display().wireValue())
                .string("contentVersion", contentVersion.orElse(null));
        contentError.ifPresent(error -> json.string("contentError", error));
        json.string("ip", metrics.ip().orElse(null))
                .string("os", metrics.os());
        if (droppedWhileOffline > 0) {
            json.number("droppedWhileOffline", droppedWhileOffline);
        }
        return json.end();
    }

    public byte[] toPayload() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }
}
