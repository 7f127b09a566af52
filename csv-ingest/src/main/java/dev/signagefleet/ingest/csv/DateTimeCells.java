package dev.signagefleet.ingest.csv;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Reads the schedule cells ({@code start_at}, {@code end_at}) by hand: a date, a time to the minute
 * or finer, and optionally an offset. Accepted, after trimming:
 * <ul>
 *   <li>ISO-8601 with or without offset: {@code 2026-12-01T09:00}, {@code 2026-12-01T09:00:00+09:00},
 *       {@code 2026-12-01T00:00:00.5Z}, {@code +0900} and {@code +09} offsets too;</li>
 *   <li>{@code yyyy-MM-dd HH:mm[:ss]}, the same with a space instead of {@code T};</li>
 *   <li>{@code yyyy/MM/dd H:mm[:ss]} and {@code yyyy/M/d H:mm}, as Excel writes dates in Japan.</li>
 * </ul>
 * Month, day and hour may have one or two digits in every form. A time without offset is in the
 * fleet's zone; in a daylight-saving gap or overlap, java.time's rule applies (a gap moves later,
 * an overlap takes the earlier offset). A date without time is refused: for {@code end_at} it would
 * be unclear whether the day is included.
 */
final class DateTimeCells {

    /** Forms named in messages, one of each kind. */
    static final String EXAMPLES = "2026-12-01 09:00, 2026/12/1 9:00 or 2026-12-01T09:00:00+09:00";

    private final ZoneId zone;
    private String text;
    private int pos;

    DateTimeCells(ZoneId zone) {
        this.zone = zone;
    }

    /** The instant the trimmed text names, or {@code null} when it is not one of the accepted forms. */
    Instant parse(String trimmed) {
        text = trimmed;
        pos = 0;
        int year = digits(4, 4);
        char separator = pos < text.length() ? text.charAt(pos) : 0;
        if (year < 0 || (separator != '-' && separator != '/') || !skip(separator)) {
            return null;
        }
        int month = digits(1, 2);
        if (month < 0 || !skip(separator)) {
            return null;
        }
        int day = digits(1, 2);
        if (day < 0 || !(skip('T') || skip('t') || skip(' '))) {
            return null;
        }
        int hour = digits(1, 2);
        if (hour < 0 || !skip(':')) {
            return null;
        }
        int minute = digits(2, 2);
        int second = 0;
        int nanos = 0;
        if (minute >= 0 && skip(':')) {
            second = digits(2, 2);
            if (second >= 0 && (skip('.') || skip(','))) {
                nanos = fraction();
            }
        }
        if (minute < 0 || second < 0 || nanos < 0) {
            return null;
        }
        try {
            LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, second, nanos);
            if (pos == text.length()) {
                return local.atZone(zone).toInstant();
            }
            ZoneOffset offset = offset();
            return offset == null ? null : local.toInstant(offset);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The offset that ends the text: Z, ±HH, ±HHMM or ±HH:MM; {@code null} for anything else. */
    private ZoneOffset offset() {
        if (pos + 1 == text.length() && (text.charAt(pos) == 'Z' || text.charAt(pos) == 'z')) {
            return ZoneOffset.UTC;
        }
        char sign = text.charAt(pos);
        if (sign != '+' && sign != '-') {
            return null;
        }
        pos++;
        int hours = digits(2, 2);
        int minutes = 0;
        if (hours >= 0 && pos < text.length()) {
            skip(':');
            minutes = digits(2, 2);
        }
        if (hours < 0 || minutes < 0 || pos != text.length()) {
            return null;
        }
        return sign == '+' ? ZoneOffset.ofHoursMinutes(hours, minutes) : ZoneOffset.ofHoursMinutes(-hours, -minutes);
    }

    private int fraction() {
        int start = pos;
        int nanos = digits(1, 9);
        if (nanos < 0) {
            return -1;
        }
        for (int i = pos - start; i < 9; i++) {
            nanos *= 10;
        }
        return nanos;
    }

    /** Reads {@code min} to {@code max} ASCII digits; -1 when there are fewer. */
    private int digits(int min, int max) {
        int start = pos;
        int value = 0;
        while (pos < text.length() && pos - start < max) {
            char c = text.charAt(pos);
            if (c < '0' || c > '9') {
                break;
            }
            value = value * 10 + (c - '0');
            pos++;
        }
        return pos - start >= min ? value : -1;
    }

    private boolean skip(char expected) {
        if (pos < text.length() && text.charAt(pos) == expected) {
            pos++;
            return true;
        }
        return false;
    }
}
