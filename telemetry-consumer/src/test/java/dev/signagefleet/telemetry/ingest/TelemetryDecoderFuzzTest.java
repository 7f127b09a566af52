package dev.signagefleet.telemetry.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.telemetry.status.DeviceStatus;
import dev.signagefleet.testing.Fuzz;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bounded fuzzing of the status decoder (a fixed number of cases per CI run, see {@link Fuzz}):
 * whatever arrives on whatever topic, the decoder answers with a status, a presence or a rejection
 * with a reason, never an exception, and never a status that breaks the contract the writer relies on.
 */
class TelemetryDecoderFuzzTest {

    private static final int MAX_PAYLOAD = 16 * 1024;
    private final TelemetryDecoder decoder = new TelemetryDecoder(MAX_PAYLOAD,
            Clock.fixed(Instant.parse("2026-11-24T00:00:00Z"), ZoneOffset.UTC));
    private final Map<String, Integer> outcomes = new HashMap<>();

    private record Input(String topic, byte[] payload) {
        @Override
        public String toString() {
            return "topic '" + topic + "', payload " + Fuzz.describe(payload);
        }
    }

    private static String topic(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> "dt/signage/d1/status";
            case 1 -> "dt/signage/d1/presence";
            case 2 -> "dt/signage/other/status";
            case 3 -> "dt/signage/" + Fuzz.anyString(random, 80) + "/status";
            default -> Fuzz.anyString(random, 80);
        };
    }

    /** Every decision is one of the three outcomes, with a reason when rejected. */
    private void checkOutcome(Input input) {
        TelemetryMessage m = decoder.decode(input.topic(), input.payload());
        outcomes.merge(m.getClass().getSimpleName(), 1, Integer::sum);
        assertThat(m.topic()).isEqualTo(input.topic());
        if (m instanceof TelemetryMessage.Rejected rejected) {
            assertThat(rejected.reason()).isNotBlank();
            assertThat(rejected.payload()).isEqualTo(input.payload());
        } else if (m instanceof TelemetryMessage.StatusReport report) {
            checkStatus(input.topic(), report.status());
        } else {
            assertThat(m).isInstanceOf(TelemetryMessage.PresenceReport.class);
            assertThat(input.topic()).endsWith("/presence");
        }
    }

    private static void checkStatus(String topic, DeviceStatus s) {
        assertThat(topic).isEqualTo("dt/signage/" + s.deviceId() + "/status");
        assertThat(s.seq()).isNotNegative();
        assertThat(s.bootId()).isNotBlank().hasSizeLessThanOrEqualTo(64);
        if (s.cpuLoad() != null) {
            assertThat(s.cpuLoad()).isFinite();
        }
        if (s.temperatureC() != null) {
            assertThat(s.temperatureC()).isFinite();
        }
        if (s.contentError() != null) {
            assertThat(s.contentError()).hasSizeLessThanOrEqualTo(TelemetryDecoder.MAX_CONTENT_ERROR).doesNotContain("\n");
        }
    }

    @Test
    void anyBytesOnAnyTopicAreDecodedOrRejectedNeverThrown() {
        Fuzz.run("any bytes on any topic", 2_000, r -> new Input(topic(r), Fuzz.bytes(r, 2_048)), Input::toString,
                this::checkOutcome);
    }

    /** JSON values of every type, to put where the contract expects one particular type. */
    private static String jsonValue(Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> Fuzz.pick(random, List.of("null", "true", "{}", "[]", "{\"x\":[1,{\"y\":null}]}", "1e400", "-0",
                    "\"NaN\"", "\"2026-11-23T09:00:00Z\"", "\"2026-13-45T25:61:00Z\""));
            case 1, 2 -> String.valueOf(random.nextLong());
            case 3 -> String.valueOf(random.nextInt(100));
            case 4 -> String.valueOf(random.nextDouble() * 200 - 100);
            case 5 -> Fuzz.string(random, "0123456789", 20, 60);
            case 6 -> "\"" + "x".repeat(random.nextInt(600)) + "\"";
            default -> jsonString(Fuzz.anyString(random, 100));
        };
    }

    private static String jsonString(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static final List<String> FIELDS = List.of("v", "deviceId", "bootId", "seq", "sentAt", "agentVersion",
            "uptimeSec", "cpuLoad", "memUsedMb", "memTotalMb", "diskFreeMb", "temperatureC", "display",
            "contentVersion", "contentError", "ip", "os", "droppedWhileOffline", "unknownField");

    private static final Map<String, String> VALID = Map.of("v", "1", "deviceId", "\"d1\"", "bootId", "\"b\"",
            "seq", "7", "sentAt", "\"2026-11-23T09:00:00Z\"");

    /** A valid status with one field left out, duplicated, or given a value of any type. */
    private static String mutatedStatus(Random random) {
        String name = Fuzz.pick(random, FIELDS);
        String value = jsonValue(random);
        int how = random.nextInt(3);
        StringBuilder json = new StringBuilder("{");
        for (String f : FIELDS.subList(0, 5)) {
            if (f.equals(name) && how == 0) {
                continue; // a required field left out
            }
            json.append('"').append(f).append("\":").append(f.equals(name) ? value : VALID.get(f)).append(',');
        }
        if (how == 2 || !VALID.containsKey(name)) {
            json.append('"').append(name).append("\":").append(value).append(','); // duplicated when required
        }
        json.setLength(json.length() - 1);
        return json.append('}').toString();
    }

    @Test
    void aStatusWithAnyFieldOfTheWrongTypeOrMissingIsDecodedOrRejectedNeverThrown() {
        Fuzz.run("mutated statuses", 2_000,
                r -> new Input("dt/signage/d1/status", mutatedStatus(r).getBytes(StandardCharsets.UTF_8)), Input::toString,
                this::checkOutcome);
        // the generator must reach both sides of the decision, or the check proves little
        assertThat(outcomes).containsKeys("StatusReport", "Rejected");
    }
}
