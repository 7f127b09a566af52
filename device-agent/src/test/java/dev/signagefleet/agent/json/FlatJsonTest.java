package dev.signagefleet.agent.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FlatJsonTest {

    @Test
    void readsEveryKindOfValueInOrder() {
        Map<String, FlatJson.Value> members = FlatJson.parse(
                " {\"s\":\"x\",\"n\":-12.5e3,\"z\":0,\"t\":true,\"f\":false,\"nul\":null,\"o\":{\"a\":[1,{\"b\":[]}]},\"a\":[]} \n");

        assertThat(members.keySet()).containsExactly("s", "n", "z", "t", "f", "nul", "o", "a");
        assertThat(members.get("s")).isEqualTo(new FlatJson.Text("x"));
        assertThat(members.get("n")).isEqualTo(new FlatJson.Num("-12.5e3"));
        assertThat(members.get("t")).isEqualTo(new FlatJson.Bool(true));
        assertThat(members.get("f")).isEqualTo(new FlatJson.Bool(false));
        assertThat(members.get("nul")).isEqualTo(new FlatJson.Null());
        assertThat(members.get("o")).isEqualTo(new FlatJson.Nested());
        assertThat(members.get("a")).isEqualTo(new FlatJson.Nested());
        assertThat(FlatJson.parse("{}")).isEmpty();
    }

    @Test
    void decodesEveryEscapeIncludingSurrogatePairs() {
        Map<String, FlatJson.Value> members = FlatJson.parse("{\"s\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\ud83d\\ude00 東京\"}");

        assertThat(((FlatJson.Text) members.get("s")).value()).isEqualTo("q\" b\\ s/ \b\f\n\r\t é 😀 東京");
    }

    @Test
    void wholeNumbersAreReadExactlyAndOthersAreNot() {
        assertThat(new FlatJson.Num("12345").wholeNumber()).contains(12345L);
        assertThat(new FlatJson.Num("-1").wholeNumber()).contains(-1L);
        assertThat(new FlatJson.Num("1.0").wholeNumber()).isEmpty();
        assertThat(new FlatJson.Num("1e3").wholeNumber()).isEmpty();
        assertThat(new FlatJson.Num("99999999999999999999").wholeNumber()).isEmpty();
    }

    @Test
    void refusesWhatIsNotStrictJsonAndSaysWhere() {
        assertBroken("", "expected an object at position 0");
        assertBroken("[1]", "expected an object at position 0");
        assertBroken("{\"a\":1,}", "expected a member name in double quotes at position 7");
        assertBroken("{\"a\":1 \"b\":2}", "expected ',' or '}' at position 7");
        assertBroken("{\"a\":1}x", "unexpected 'x' after the object at position 7");
        assertBroken("{\"a\":1}{}", "unexpected '{' after the object");
        assertBroken("{\"a\":1,\"a\":2}", "duplicate member 'a' at position 7");
        assertBroken("{a:1}", "expected a member name in double quotes");
        assertBroken("{'a':1}", "expected a member name in double quotes");
        assertBroken("{\"a\":01}", "expected ',' or '}'");
        assertBroken("{\"a\":1.}", "invalid number: digits expected after '.'");
        assertBroken("{\"a\":-}", "invalid number");
        assertBroken("{\"a\":+1}", "unexpected '+'");
        assertBroken("{\"a\":1e}", "invalid number: digits expected in the exponent");
        assertBroken("{\"a\":NaN}", "unexpected 'N'");
        assertBroken("{\"a\":tru}", "unexpected 't'");
        assertBroken("{\"a\":\"x}", "unterminated string");
        assertBroken("{\"a\":\"tab\there\"}", "control character in a string");
        assertBroken("{\"a\":\"\\x\"}", "invalid escape '\\x'");
        assertBroken("{\"a\":\"\\u12g4\"}", "invalid \\u escape");
        assertBroken("{\"a\":\"\\u12\"}", "invalid \\u escape");
        assertBroken("{\"a\":[1,]}", "unexpected ']'");
        assertBroken("{\"a\":{\"b\":1,\"b\"}}", "expected ':' after member name");
        assertBroken("{\"a\":1", "expected ',' or '}' at position 6");
        assertBroken("{\"a\" // comment\n:1}", "expected ':' after member name");
    }

    @Test
    void nestingIsBounded() {
        String deep = "{\"a\":" + "[".repeat(FlatJson.MAX_DEPTH) + "]".repeat(FlatJson.MAX_DEPTH) + "}";
        assertBroken(deep, "nested deeper than " + FlatJson.MAX_DEPTH + " levels");
        String fine = "{\"a\":" + "[".repeat(FlatJson.MAX_DEPTH - 2) + "]".repeat(FlatJson.MAX_DEPTH - 2) + "}";
        assertThat(FlatJson.parse(fine)).containsKey("a");
    }

    private static void assertBroken(String text, String message) {
        assertThatThrownBy(() -> FlatJson.parse(text)).isInstanceOf(JsonSyntaxException.class).hasMessageContaining(message);
    }
}
