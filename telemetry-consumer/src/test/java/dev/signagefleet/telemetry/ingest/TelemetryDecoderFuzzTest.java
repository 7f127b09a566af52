package dev.signagefleet.telemetry.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.telemetry.status.DeviceStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Bounded fuzzing of the status decoder (jqwik; the number of tries is set in
 * junit-platform.properties): whatever arrives on whatever topic, the decoder answers with a
 * status, a presence or a rejection with a reason, never an exception, and never a status whose
 * values break the contract the writer relies on.
 */
class TelemetryDecoderFuzzTest {

    private static final int MAX_PAYLOAD = 16 * 1024;
    private final TelemetryDecoder decoder = new TelemetryDecoder(MAX_PAYLOAD,
            Clock.fixed(Instant.parse("2026-11-24T00:00:00Z"), ZoneOffset.UTC));

    @Provide
    Arbitrary<String> topics() {
        return Arbitraries.oneOf(
                Arbitraries.just("dt/signage/d1/status"),
                Arbitraries.just("dt/signage/d1/presence"),
                Arbitraries.just("dt/signage/other/status"),
                Arbitraries.strings().ofMaxLength(80).map(s -> "dt/signage/" + s + "/status"),
                Arbitraries.strings().ofMaxLength(80));
    }

    /** Every decision is one of the three outcomes, with a reason when rejected. */
    private void checkOutcome(String topic, byte[] payload) {
        TelemetryMessage m = decoder.decode(topic, payload);
        Statistics.label("outcome").collect(m.getClass().getSimpleName());
        assertThat(m.topic()).isEqualTo(topic);
        if (m instanceof TelemetryMessage.Rejected rejected) {
            assertThat(rejected.reason()).isNotBlank();
            assertThat(rejected.payload()).isEqualTo(payload);
        } else if (m instanceof TelemetryMessage.StatusReport report) {
            checkStatus(topic, report.status());
        } else {
            assertThat(m).isInstanceOf(TelemetryMessage.PresenceReport.class);
            assertThat(topic).endsWith("/presence");
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

    @Property
    void anyBytesOnAnyTopicAreDecodedOrRejectedNeverThrown(@ForAll("topics") String topic,
                                                           @ForAll @Size(max = 2048) byte[] payload) {
        checkOutcome(topic, payload);
    }

    /** JSON-shaped values of every type, to put where the contract expects one particular type. */
    @Provide
    Arbitrary<String> jsonValues() {
        return Arbitraries.oneOf(
                Arbitraries.just("null"), Arbitraries.just("true"), Arbitraries.just("{}"), Arbitraries.just("[]"),
                Arbitraries.just("{\"x\":[1,{\"y\":null}]}"), Arbitraries.just("1e400"), Arbitraries.just("-0"),
                Arbitraries.just("\"NaN\""), Arbitraries.just("\"2026-11-23T09:00:00Z\""),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf).filter(d -> !d.contains("N") && !d.contains("I")),
                Arbitraries.strings().ofMaxLength(100).map(TelemetryDecoderFuzzTest::jsonString),
                Arbitraries.strings().withCharRange('0', '9').ofMinLength(20).ofMaxLength(60));
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

    @Provide
    Arbitrary<String> mutatedStatuses() {
        Arbitrary<String> field = Arbitraries.of(FIELDS);
        return Combinators.combine(field, jsonValues(), Arbitraries.integers().between(0, 2)).as((name, value, how) -> {
            StringBuilder json = new StringBuilder("{");
            for (String f : FIELDS.subList(0, 5)) {
                if (f.equals(name) && how == 0) {
                    continue; // a required field left out
                }
                json.append('"').append(f).append("\":").append(f.equals(name) ? value : VALID.get(f)).append(',');
            }
            if (how == 2 || !VALID.containsKey(name)) {
                json.append('"').append(name).append("\":").append(value).append(','); // also duplicated when required
            }
            json.setLength(json.length() - 1);
            return json.append('}').toString();
        });
    }

    @Property
    void aStatusWithAnyFieldOfTheWrongTypeOrMissingIsDecodedOrRejectedNeverThrown(
            @ForAll("mutatedStatuses") String json) {
        checkOutcome("dt/signage/d1/status", json.getBytes(StandardCharsets.UTF_8));
        // the generator must reach both sides of the decision, or the property proves little
        Statistics.label("outcome").coverage(check -> {
            check.check("StatusReport").count(n -> n > 0);
            check.check("Rejected").count(n -> n > 0);
        });
    }
}
