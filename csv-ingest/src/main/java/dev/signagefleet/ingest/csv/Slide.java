package dev.signagefleet.ingest.csv;

import java.time.Instant;

/**
 * One validated row of a slides CSV, as the file stated it.
 *
 * @param slideId     the id, trimmed; {@code [A-Za-z0-9_-]{1,64}}, unique within the file
 * @param title       exactly as written (not trimmed), at most 200 characters
 * @param body        exactly as written, line breaks as {@code \n}; {@code null} when the cell is empty
 * @param imageUrl    an absolute http(s) URL, trimmed; {@code null} when the cell is empty
 * @param durationSec seconds on screen, 1..3600
 * @param startAt     first moment the slide may show; {@code null} = from now on
 * @param endAt       moment the slide stops showing, after {@code startAt}; {@code null} = no end
 * @param targetGroup the group of terminals, trimmed; {@code null} = every group
 * @param priority    0..100, higher first; 50 when the cell is empty
 * @param line        physical line of the file where the row starts (the header is line 1)
 */
public record Slide(
        String slideId,
        String title,
        String body,
        String imageUrl,
        int durationSec,
        Instant startAt,
        Instant endAt,
        String targetGroup,
        int priority,
        int line) {

    /** Priority of a slide whose {@code priority} cell is empty: the middle of 0..100. */
    public static final int DEFAULT_PRIORITY = 50;
}
