package dev.signagefleet.agent.json;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads one JSON object (RFC 8259, strictly: no comments, no trailing commas, no duplicate
 * members, nothing after the object) whose members the agent uses are plain values. Nested objects
 * and arrays are checked and skipped, so a sender may add structured fields the agent does not know.
 * The counterpart of {@link JsonWriter}: the agent's messages are small, so no JSON library is needed.
 */
public final class FlatJson {

    /** Nesting deeper than this is refused rather than followed (a stack-depth guard). */
    static final int MAX_DEPTH = 32;

    /** One member's value. */
    public sealed interface Value permits Text, Num, Bool, Null, Nested {
    }

    public record Text(String value) implements Value {
        public Text {
            Objects.requireNonNull(value, "value");
        }
    }

    /** A number as written, so that the reader decides what it accepts (whole, range). */
    public record Num(String literal) implements Value {

        /** The value when it is written as a whole number (no fraction, no exponent) that fits a long. */
        public Optional<Long> wholeNumber() {
            if (literal.indexOf('.') >= 0 || literal.indexOf('e') >= 0 || literal.indexOf('E') >= 0) {
                return Optional.empty();
            }
            try {
                return Optional.of(Long.parseLong(literal));
            } catch (NumberFormatException e) {
                return Optional.empty(); // beyond a long
            }
        }
    }

    public record Bool(boolean value) implements Value {
    }

    public record Null() implements Value {
    }

    /** An object or array; its content was checked but is not kept. */
    public record Nested() implements Value {
    }

    private final String text;
    private int pos;

    private FlatJson(String text) {
        this.text = text;
    }

    /**
     * The members of the object in {@code text}, in order.
     *
     * @throws JsonSyntaxException naming the position of the first problem
     */
    public static Map<String, Value> parse(String text) {
        FlatJson reader = new FlatJson(Objects.requireNonNull(text, "text"));
        reader.whitespace();
        Map<String, Value> members = reader.object(0, true);
        reader.whitespace();
        if (reader.pos < text.length()) {
            throw reader.error("unexpected '" + text.charAt(reader.pos) + "' after the object");
        }
        return members;
    }

    private Map<String, Value> object(int depth, boolean keep) {
        expect('{', "expected an object");
        Map<String, Value> members = new LinkedHashMap<>();
        whitespace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            whitespace();
            int keyAt = pos;
            if (peek() != '"') {
                throw error("expected a member name in double quotes");
            }
            String name = string();
            whitespace();
            expect(':', "expected ':' after member name");
            whitespace();
            Value value = value(depth);
            if (keep && members.put(name, value) != null) {
                throw new JsonSyntaxException("duplicate member '" + name + "'", keyAt);
            }
            whitespace();
            char next = peek();
            pos++;
            if (next == '}') {
                return members;
            }
            if (next != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private void array(int depth) {
        expect('[', "expected an array");
        whitespace();
        if (peek() == ']') {
            pos++;
            return;
        }
        while (true) {
            whitespace();
            value(depth);
            whitespace();
            char next = peek();
            pos++;
            if (next == ']') {
                return;
            }
            if (next != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private Value value(int depth) {
        char c = peek();
        switch (c) {
            case '"':
                return new Text(string());
            case '{':
            case '[':
                if (depth + 1 >= MAX_DEPTH) {
                    throw error("nested deeper than " + MAX_DEPTH + " levels");
                }
                if (c == '{') {
                    object(depth + 1, false);
                } else {
                    array(depth + 1);
                }
                return new Nested();
            case 't':
                literal("true");
                return new Bool(true);
            case 'f':
                literal("false");
                return new Bool(false);
            case 'n':
                literal("null");
                return new Null();
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error(pos >= text.length() ? "unexpected end of text" : "unexpected '" + c + "'");
        }
    }

    private String string() {
        pos++; // the opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                pos--;
                throw error("control character in a string (must be escaped)");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated escape");
            }
            char escaped = text.charAt(pos++);
            switch (escaped) {
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(unicodeEscape());
                default -> {
                    pos--;
                    throw error("invalid escape '\\" + escaped + "'");
                }
            }
        }
    }

    private char unicodeEscape() {
        if (pos + 4 > text.length()) {
            throw error("incomplete \\u escape");
        }
        int code = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(pos + i), 16);
            if (digit < 0) {
                throw error("invalid \\u escape");
            }
            code = code * 16 + digit;
        }
        pos += 4;
        return (char) code;
    }

    private Num number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw error("invalid number");
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw error("invalid number: digits expected after '.'");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("invalid number: digits expected in the exponent");
            }
            digits();
        }
        return new Num(text.substring(start, pos));
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected '" + text.charAt(pos) + "'");
        }
        pos += word.length();
    }

    private void whitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    /** The current character, or NUL at the end (never valid JSON outside a string, so it fails where it matters). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void expect(char c, String problem) {
        if (peek() != c) {
            throw error(problem);
        }
        pos++;
    }

    private JsonSyntaxException error(String problem) {
        return new JsonSyntaxException(problem, pos);
    }
}
