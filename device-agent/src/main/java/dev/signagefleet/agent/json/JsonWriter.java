package dev.signagefleet.agent.json;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Writes one flat JSON object, field by field, with correct string escaping. The agent's messages
 * are small and flat, so this replaces a JSON library on the terminal.
 */
public final class JsonWriter {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder(256).append('{');
    private boolean empty = true;

    private JsonWriter() {
    }

    public static JsonWriter object() {
        return new JsonWriter();
    }

    /** A string field; {@code null} writes JSON null. */
    public JsonWriter string(String name, String value) {
        name(name);
        if (value == null) {
            out.append("null");
        } else {
            quote(value, out);
        }
        return this;
    }

    public JsonWriter number(String name, long value) {
        name(name);
        out.append(value);
        return this;
    }

    /**
     * A decimal rounded to at most {@code maxFractionDigits}, without trailing zeros or exponent.
     * NaN and infinities have no JSON form and are written as null.
     */
    public JsonWriter decimal(String name, double value, int maxFractionDigits) {
        name(name);
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            out.append("null");
        } else {
            BigDecimal rounded = BigDecimal.valueOf(value).setScale(maxFractionDigits, RoundingMode.HALF_UP).stripTrailingZeros();
            out.append(rounded.signum() == 0 ? "0" : rounded.toPlainString());
        }
        return this;
    }

    public JsonWriter nullValue(String name) {
        name(name);
        out.append("null");
        return this;
    }

    /** Closes the object and returns its text. */
    public String end() {
        return out.append('}').toString();
    }

    private void name(String name) {
        if (!empty) {
            out.append(',');
        }
        empty = false;
        quote(name, out);
        out.append(':');
    }

    /** Appends {@code value} as a JSON string literal. */
    public static void quote(String value, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029' || isLoneSurrogate(value, i)) {
                        // control characters must be escaped; U+2028/9 break JavaScript consumers; a lone
                        // surrogate cannot be encoded as UTF-8, so it travels as an escape instead of a '?'
                        unicodeEscape(c, out);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2);
        quote(value, out);
        return out.toString();
    }

    private static boolean isLoneSurrogate(String value, int i) {
        char c = value.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(value.charAt(i - 1));
        }
        return false;
    }

    private static void unicodeEscape(char c, StringBuilder out) {
        out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
    }
}
