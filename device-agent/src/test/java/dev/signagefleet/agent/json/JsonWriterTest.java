package dev.signagefleet.agent.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonWriterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void everyAwkwardCharacterSurvivesARoundTripThroughAnIndependentParser() throws Exception {
        String nasty = "quote\" backslash\\ slash/ newline\n cr\r tab\t bell\u0007 nul\u0000 del\u007f "
                + "unit\u001f line-sep\u2028 para-sep\u2029 日本語 emoji😀 ünïcödé";
        String json = JsonWriter.object().string("text", nasty).end();

        assertThat(MAPPER.readTree(json).get("text").asText()).isEqualTo(nasty);
        assertThat(json).doesNotContain("\n", "\r", "\t", "\u0000", "\u0007", "\u2028", "\u2029");
    }

    @Test
    void controlCharactersUseTheShortEscapesWhereJsonHasThem() {
        assertThat(JsonWriter.quote("a\"b\\c\nd\re\tf\bg\fh\u0001"))
                .isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001\"");
    }

    @Test
    void aLoneSurrogateIsEscapedInsteadOfBecomingAQuestionMark() throws Exception {
        String lone = "x\ud800y";
        String json = JsonWriter.object().string("s", lone).end();

        assertThat(json).contains("\\ud800");
        assertThat(MAPPER.readTree(json).get("s").asText()).isEqualTo(lone);
    }

    @Test
    void fieldNamesAreEscapedTooAndNullIsWrittenAsJsonNull() throws Exception {
        String json = JsonWriter.object().string("we\"ird", null).nullValue("n").number("big", Long.MAX_VALUE).end();

        JsonNode node = MAPPER.readTree(json);
        assertThat(node.get("we\"ird").isNull()).isTrue();
        assertThat(node.get("n").isNull()).isTrue();
        assertThat(node.get("big").asLong()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void decimalsAreRoundedPlainAndNeverNaN() {
        String json = JsonWriter.object()
                .decimal("a", 0.123456, 3)
                .decimal("b", 48.0, 1)
                .decimal("c", 1e-9, 3)
                .decimal("d", Double.NaN, 3)
                .decimal("e", Double.POSITIVE_INFINITY, 1)
                .decimal("f", 12345678.25, 1)
                .end();

        assertThat(json).isEqualTo("{\"a\":0.123,\"b\":48,\"c\":0,\"d\":null,\"e\":null,\"f\":12345678.3}");
    }

    @Test
    void anEmptyObjectIsValid() {
        assertThat(JsonWriter.object().end()).isEqualTo("{}");
    }
}
