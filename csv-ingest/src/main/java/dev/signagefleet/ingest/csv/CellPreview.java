package dev.signagefleet.ingest.csv;

import java.util.Locale;

/** How a cell's value appears in a message: quoted, shortened, with control characters made visible. */
final class CellPreview {

    /** Long enough to recognise a value, short enough for a message read in a hurry. */
    static final int MAX_CHARS = 40;

    private CellPreview() {
    }

    static String of(String value) {
        int end = Math.min(value.length(), MAX_CHARS);
        if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        StringBuilder shown = new StringBuilder(end + 8).append('"');
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            if (c == '\n') {
                shown.append("\\n");
            } else if (c == '\r') {
                shown.append("\\r");
            } else if (c == '\t') {
                shown.append("\\t");
            } else if (c < 0x20 || c == 0x7F) {
                shown.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
            } else {
                shown.append(c);
            }
        }
        if (end < value.length()) {
            shown.append('…');
        }
        return shown.append('"').toString();
    }

    /** A number for a message, with thousands separators ({@code 65,536}). */
    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
