package dev.signagefleet.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StructuredEventJsonTest {

    @Test
    void roundTripKeepsEveryAttribute() {
        String trace = TraceParent.newTrace();
        Event event = Event.create("/signage/test", "signage.test.v1", "subject-1", Instant.parse("2026-11-24T00:00:00Z"),
                "upload-7", trace, Map.of("rows", 3));
        Event back = StructuredEventJson.read(StructuredEventJson.write(event));
        assertThat(back).isEqualTo(event);
        assertThat(StructuredEventJson.write(event)).contains("\"specversion\":\"1.0\"").contains("\"correlationid\":\"upload-7\"");
    }

    @Test
    void childSpanKeepsTheTraceId() {
        String parent = TraceParent.newTrace();
        String child = TraceParent.childOf(parent);
        assertThat(TraceParent.isValid(child)).isTrue();
        assertThat(child.substring(0, 36)).isEqualTo(parent.substring(0, 36));
        assertThat(child).isNotEqualTo(parent);
        assertThat(TraceParent.isValid(TraceParent.childOf("garbage"))).isTrue();
    }

    @Test
    void malformedEnvelopesSayWhatIsWrong() {
        assertThatThrownBy(() -> StructuredEventJson.read("{nope")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> StructuredEventJson.read("{\"specversion\":\"0.3\"}")).hasMessageContaining("specversion");
        assertThatThrownBy(() -> StructuredEventJson.read(
                "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"time\":\"2026-11-24T00:00:00Z\"}"))
                .hasMessageContaining("data is missing");
    }
}
