package dev.signagefleet.telemetry.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TelemetryDecoderTest {

    private final TelemetryDecoder decoder = new TelemetryDecoder(16 * 1024, java.time.Clock.fixed(Instant.parse("2026-11-24T00:00:00Z"), java.time.ZoneOffset.UTC));

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesTheSharedSampleStatus() throws IOException {
        // ../shared sits beside the repository (see DEVELOPERS.md); tests run in the module folder.
        byte[] sample = Files.readAllBytes(Path.of("../../shared/samples/status_example.json"));
        TelemetryMessage m = decoder.decode("dt/signage/lobby-01/status", sample);
        assertThat(m).isInstanceOf(TelemetryMessage.StatusReport.class);
        var status = ((TelemetryMessage.StatusReport) m).status();
        assertThat(status.seq()).isEqualTo(42);
        assertThat(status.sentAt()).isEqualTo(Instant.parse("2026-11-23T09:00:00Z"));
        assertThat(status.temperatureC()).isEqualTo(48.5);
        assertThat(status.contentVersion()).isNull();
        assertThat(status.display()).isEqualTo("on");
    }

    @Test
    void unknownFieldsAreIgnoredAndOptionalOnesMayBeMissing() {
        TelemetryMessage m = decoder.decode("dt/signage/d1/status", json("""
                {"v":1,"deviceId":"d1","bootId":"b","seq":1,"sentAt":"2026-11-23T09:00:00+09:00","future":{"x":1}}
                """));
        assertThat(m).isInstanceOf(TelemetryMessage.StatusReport.class);
        assertThat(((TelemetryMessage.StatusReport) m).status().sentAt()).isEqualTo(Instant.parse("2026-11-23T00:00:00Z"));
    }

    @Test
    void aContentErrorIsKeptReadableAndBoundedInsteadOfRefusingTheStatus() {
        String longReason = "sha256 mismatch \u2460 ".repeat(100);
        TelemetryMessage m = decoder.decode("dt/signage/d1/status", json("""
                {"v":1,"deviceId":"d1","bootId":"b","seq":1,"sentAt":"2026-11-23T09:00:00Z","contentVersion":"g-v1",
                 "contentError":"%s\\nnext line"}
                """.formatted(longReason)));
        var status = ((TelemetryMessage.StatusReport) m).status();
        assertThat(status.contentVersion()).isEqualTo("g-v1");
        assertThat(status.contentError()).hasSize(TelemetryDecoder.MAX_CONTENT_ERROR).startsWith("sha256 mismatch \u2460")
                .endsWith("\u2026").doesNotContain("\n");
        var shortOne = ((TelemetryMessage.StatusReport) decoder.decode("dt/signage/d1/status", json("""
                {"v":1,"deviceId":"d1","bootId":"b","seq":2,"sentAt":"2026-11-23T09:00:00Z","contentError":"disk\\tfull"}
                """))).status();
        assertThat(shortOne.contentError()).isEqualTo("disk full");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON | {oops | not valid JSON",
            "array | [1,2] | payload must be a JSON object",
            "wrong version | {\"v\":2,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"2026-11-23T09:00:00Z\"} | v must be 1",
            "id mismatch | {\"v\":1,\"deviceId\":\"d2\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"2026-11-23T09:00:00Z\"} | does not match the topic",
            "seq as string | {\"v\":1,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":\"1\",\"sentAt\":\"2026-11-23T09:00:00Z\"} | seq must be a whole number",
            "seq zero | {\"v\":1,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":0,\"sentAt\":\"2026-11-23T09:00:00Z\"} | seq must be 1 or more",
            "missing bootId | {\"v\":1,\"deviceId\":\"d1\",\"seq\":1,\"sentAt\":\"2026-11-23T09:00:00Z\"} | bootId is required",
            "bad time | {\"v\":1,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"yesterday\"} | sentAt must be an ISO-8601 time",
            "cpu out of range | {\"v\":1,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"2026-11-23T09:00:00Z\",\"cpuLoad\":7} | cpuLoad must be between 0 and 1",
            "display value | {\"v\":1,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"2026-11-23T09:00:00Z\",\"display\":\"dim\"} | display must be on, off or unknown",
            "memory as text | {\"v\":1,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"2026-11-23T09:00:00Z\",\"memUsedMb\":\"lots\"} | memUsedMb must be a whole number",
            "NUL in text | {\"v\":1,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"2026-11-23T09:00:00Z\",\"os\":\"x\\u0000y\"} | os contains control characters: 'x?y'",
            "year 300000 | {\"v\":1,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"+300000-01-01T00:00:00Z\"} | more than a day ahead of the server's clock",
            "clock in the future | {\"v\":1,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"2026-11-26T00:00:00Z\"} | more than a day ahead",
            "before 1970 | {\"v\":1,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"1969-12-31T23:00:00Z\"} | before 1970",
            "NUL echoed in reason | {\"v\":1,\"deviceId\":\"d1\",\"bootId\":\"b\",\"seq\":1,\"sentAt\":\"2026-11-23T09:00:00Z\",\"display\":\"\\u0000\"} | display contains control characters: '?'",
    })
    void malformedStatusIsRejectedWithAReason(String name, String payload, String reason) {
        TelemetryMessage m = decoder.decode("dt/signage/d1/status", json(payload));
        assertThat(m).isInstanceOf(TelemetryMessage.Rejected.class);
        TelemetryMessage.Rejected rejected = (TelemetryMessage.Rejected) m;
        assertThat(rejected.reason()).contains(reason);
        assertThat(rejected.deviceId()).isEqualTo("d1");
        assertThat(rejected.payload()).isEqualTo(json(payload));
    }

    @Test
    void oversizedPayloadIsRejectedWithoutParsing() {
        byte[] big = new byte[16 * 1024 + 1];
        TelemetryMessage m = decoder.decode("dt/signage/d1/status", big);
        assertThat(((TelemetryMessage.Rejected) m).reason()).startsWith("payload too large: 16385 bytes");
    }

    @Test
    void presenceIsDecoded() {
        TelemetryMessage m = decoder.decode("dt/signage/d1/presence", json("""
                {"v":1,"deviceId":"d1","bootId":"b","state":"offline","at":"2026-11-23T09:00:00Z","conn":2,"reason":"connection-lost"}
                """));
        var presence = ((TelemetryMessage.PresenceReport) m).presence();
        assertThat(presence.online()).isFalse();
        assertThat(presence.conn()).isEqualTo(2);
    }
}
