package dev.signagefleet.ingest.csv;

import dev.signagefleet.common.csv.SpreadsheetSafeCsv;

/**
 * How the text of a cell is read as a value, by hand rather than by regular expression because it
 * runs for every cell of every row.
 */
final class Cells {

    /** {@link #wholeNumber} result for text that is not a whole number. */
    static final long NOT_A_NUMBER = Long.MIN_VALUE;
    /** {@link #wholeNumber} result for a whole number too long to hold; out of every range. */
    static final long HUGE = Long.MAX_VALUE;

    private static final int MAX_DIGITS = 18;

    private Cells() {
    }

    /**
     * The text without spaces, tabs, line breaks and ideographic spaces (U+3000) at either end:
     * what a person typing an id or a number into a spreadsheet does not mean as part of it.
     */
    static String trim(String cell) {
        int start = 0;
        int end = cell.length();
        while (start < end && isSpace(cell.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(cell.charAt(end - 1))) {
            end--;
        }
        return start == 0 && end == cell.length() ? cell : cell.substring(start, end);
    }

    private static boolean isSpace(char c) {
        return c <= ' ' || c == '\u3000';
    }

    /** Length in characters (code points), what a person counts and what Postgres limits. */
    static int characters(String text) {
        return text.codePointCount(0, text.length());
    }

    /** True when the text has at most {@code max} characters. */
    static boolean fits(String text, int max) {
        return text.length() <= max || characters(text) <= max;
    }

    /**
     * An id as the exports write it back: a leading '-' is escaped there as {@code '-} (a
     * spreadsheet would take it for a formula), so that apostrophe is dropped again. No valid id
     * starts with an apostrophe, so nothing valid changes meaning.
     */
    static String unescapeIdentifier(String trimmed) {
        return trimmed.startsWith("'-") ? trimmed.substring(1) : trimmed;
    }

    /**
     * Free text as the exports write it back: a cell a spreadsheet would run as a formula
     * ({@code =}, {@code +}, {@code -}, {@code @}, tab or CR first), or one that starts with
     * apostrophes before such a character, is exported with one apostrophe more, so exactly one is
     * dropped here and an exported file uploads unchanged. The one cost: a hand-written {@code '=x}
     * reads as {@code =x} (write {@code ''=x} to keep the apostrophe).
     */
    static String unescapeText(String text) {
        return SpreadsheetSafeCsv.startsWithEscapedFormula(text) ? text.substring(1) : text;
    }

    /** True for 1 to 64 of A-Z, a-z, 0-9, '-' and '_': slide ids and group names. */
    static boolean isIdentifier(String text) {
        int n = text.length();
        if (n == 0 || n > 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The whole number written in trimmed text: ASCII digits with an optional sign, and a fraction
     * only if it is all zeros ({@code 10.00}, as a spreadsheet formats a number cell). Returns
     * {@link #NOT_A_NUMBER} for anything else and {@link #HUGE} for more than 18 digits.
     */
    static long wholeNumber(String text) {
        int n = text.length();
        int i = 0;
        boolean negative = false;
        if (n > 0 && (text.charAt(0) == '+' || text.charAt(0) == '-')) {
            negative = text.charAt(0) == '-';
            i = 1;
        }
        int digitsStart = i;
        long value = 0;
        while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            if (i - digitsStart < MAX_DIGITS) {
                value = value * 10 + (text.charAt(i) - '0');
            }
            i++;
        }
        int digits = i - digitsStart;
        if (digits == 0) {
            return NOT_A_NUMBER;
        }
        if (i < n) {
            if (text.charAt(i) != '.' || i + 1 == n) {
                return NOT_A_NUMBER;
            }
            for (i++; i < n; i++) {
                if (text.charAt(i) != '0') {
                    return NOT_A_NUMBER;
                }
            }
        }
        if (digits > MAX_DIGITS) {
            return HUGE;
        }
        return negative ? -value : value;
    }
}
