package dev.signagefleet.agent.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContentAssignmentTest {

    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @Test
    void readsTheContractExample() {
        ContentAssignment assignment = parse("{\"v\":1,\"version\":\"tokyo-east@3\",\"url\":\"http://host:8080/content/tokyo-east/3/package.zip\","
                + "\"sha256\":\"" + SHA + "\",\"size\":12345,\"correlationId\":\"upload-7\",\"traceparent\":\"00-abc-def-01\"}");

        assertThat(assignment.version()).isEqualTo(new ContentVersion("tokyo-east", 3));
        assertThat(assignment.url()).isEqualTo(URI.create("http://host:8080/content/tokyo-east/3/package.zip"));
        assertThat(assignment.sha256()).isEqualTo(SHA);
        assertThat(assignment.size()).isEqualTo(12345);
        assertThat(assignment.correlationId()).contains("upload-7");
        assertThat(assignment.traceparent()).contains("00-abc-def-01");
        assertThat(assignment.describeForLog()).isEqualTo("tokyo-east@3 (correlation upload-7)");
    }

    @Test
    void unknownMembersOfAnyShapeAreIgnoredAndOptionalOnesMayBeMissingOrNull() {
        ContentAssignment assignment = parse("{\"version\":\"osaka@1\",\"url\":\"https://cdn.example/p.zip\",\"sha256\":\"" + SHA
                + "\",\"size\":1,\"correlationId\":null,\"manifest\":{\"slides\":[1,2]},\"priority\":5,\"new\":true}");

        assertThat(assignment.version()).hasToString("osaka@1");
        assertThat(assignment.correlationId()).isEmpty();
        assertThat(assignment.traceparent()).isEmpty();
    }

    @Test
    void anEmptyPayloadIsNoAssignment() {
        assertThat(ContentAssignment.fromPayload(new byte[0])).isEmpty();
    }

    @Test
    void equalAssignmentsNameTheSamePackageWhateverTheirCorrelation() {
        String a = TestPackages.assignment("g@1", "http://h/p.zip", SHA, 10);
        String b = a.replace("upload-g@1", "upload-other");

        assertThat(parse(a)).isEqualTo(parse(b)).hasSameHashCodeAs(parse(b));
        assertThat(parse(a)).isNotEqualTo(parse(TestPackages.assignment("g@1", "http://h/p.zip", SHA, 11)));
        assertThat(parse(a)).isNotEqualTo(parse(TestPackages.assignment("g@1", "http://h/p.zip", SHA.replace('9', '8'), 10)));
    }

    @Test
    void missingOrInvalidMembersAreNamed() {
        String ok = "\"version\":\"g@1\",\"url\":\"http://h/p.zip\",\"sha256\":\"" + SHA + "\",\"size\":10";
        assertInvalid("{\"url\":\"http://h/p.zip\",\"sha256\":\"" + SHA + "\",\"size\":10}", "version: required");
        assertInvalid("{\"version\":null,\"url\":\"http://h/p.zip\",\"sha256\":\"" + SHA + "\",\"size\":10}", "version: required");
        assertInvalid("{\"version\":\"g@1\",\"sha256\":\"" + SHA + "\",\"size\":10}", "url: required");
        assertInvalid("{\"version\":\"g@1\",\"url\":\"http://h/p.zip\",\"size\":10}", "sha256: required");
        assertInvalid("{\"version\":\"g@1\",\"url\":\"http://h/p.zip\",\"sha256\":\"" + SHA + "\"}", "size: required");
        assertInvalid("{" + ok.replace("g@1", "g-1") + "}", "version: expected {group}@{number} like tokyo-east@3, was 'g-1'");
        assertInvalid("{" + ok.replace("\"g@1\"", "7") + "}", "version: expected a string, was a number");
        assertInvalid("{" + ok.replace("http://h/p.zip", "ftp://h/p.zip") + "}", "url: expected an absolute http:// or https:// URL");
        assertInvalid("{" + ok.replace("http://h/p.zip", "/content/p.zip") + "}", "url: expected an absolute http:// or https:// URL");
        assertInvalid("{" + ok.replace("http://h/p.zip", "http://dev:pw@h/p.zip") + "}", "url: must not contain a user name or password");
        assertInvalid("{" + ok.replace("http://h/p.zip", "http://h/a b") + "}", "url: Illegal character in path");
        assertInvalid("{" + ok.replace(SHA, SHA.toUpperCase()) + "}", "sha256: expected 64 lowercase hex digits");
        assertInvalid("{" + ok.replace(SHA, SHA.substring(1)) + "}", "sha256: expected 64 lowercase hex digits");
        assertInvalid("{" + ok.replace("\"size\":10", "\"size\":0") + "}", "size: expected a positive number of bytes, was 0");
        assertInvalid("{" + ok.replace("\"size\":10", "\"size\":-5") + "}", "size: expected a positive number of bytes");
        assertInvalid("{" + ok.replace("\"size\":10", "\"size\":10.5") + "}", "size: expected a whole number, was 10.5");
        assertInvalid("{" + ok.replace("\"size\":10", "\"size\":\"10\"") + "}", "size: expected a number, was a string");
        assertInvalid("{" + ok + ",\"v\":2}", "v: format 2 is not supported, expected 1");
        assertInvalid("{" + ok + ",\"correlationId\":{}}", "correlationId: expected a string, was an object or array");
        assertInvalid("{" + ok + ",\"traceparent\":\"" + "x".repeat(300) + "\"}", "traceparent: too long");
    }

    @Test
    void aPayloadThatIsNotAJsonObjectOrNotUtf8OrHugeIsRefused() {
        assertInvalid("not json", "not a JSON object: expected an object at position 0");
        assertInvalid("{\"version\":\"g@1\"", "not a JSON object");
        assertThatThrownBy(() -> ContentAssignment.fromPayload(new byte[] {'{', '"', (byte) 0xC3, '"', '}'}))
                .isInstanceOf(InvalidAssignmentException.class).hasMessage("payload is not UTF-8 text");
        assertThatThrownBy(() -> ContentAssignment.fromPayload(new byte[ContentAssignment.MAX_PAYLOAD_BYTES + 1]))
                .isInstanceOf(InvalidAssignmentException.class).hasMessageContaining("expected at most");
    }

    private static ContentAssignment parse(String json) {
        Optional<ContentAssignment> assignment = ContentAssignment.fromPayload(json.getBytes(StandardCharsets.UTF_8));
        assertThat(assignment).isPresent();
        return assignment.get();
    }

    private static void assertInvalid(String json, String message) {
        assertThatThrownBy(() -> ContentAssignment.fromPayload(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidAssignmentException.class)
                .hasMessageStartingWith(message);
    }
}
