package dev.signagefleet.ingest.csv;

import java.time.Instant;
import java.time.ZoneId;
import java.util.BitSet;

/**
 * Turns the cells of one data row into a {@link Slide}, or records every problem the row has.
 * Ids, numbers, dates and URLs are trimmed before they are read; titles and bodies are kept exactly
 * as written. Lengths count characters (code points), as Postgres does.
 */
final class RowValidator {

    static final int MAX_TITLE = 200;
    static final int MAX_BODY = 2000;
    static final int MAX_URL = 2000;
    static final int MIN_DURATION = 1;
    static final int MAX_DURATION = 3600;
    static final int MIN_PRIORITY = 0;
    static final int MAX_PRIORITY = 100;

    private static final String ID_RULE = "1 to 64 letters (A-Z, a-z), digits, \"-\" or \"_\"";

    private final Header header;
    private final ProblemLog problems;
    /** Where repeated ids are found, or {@code null} when the sink refuses a repeated id itself (a database key). */
    private final RepeatedIds seenIds;
    private final DateTimeCells dates;

    private String[] cells;
    private int line;
    private BitSet oversized;
    private boolean valid;

    RowValidator(Header header, ZoneId fleetZone, ProblemLog problems, RepeatedIds seenIds) {
        this.header = header;
        this.problems = problems;
        this.seenIds = seenIds;
        this.dates = new DateTimeCells(fleetZone);
    }

    /** The slide of this row, or {@code null} after recording why it is not one. */
    Slide validate(String[] rowCells, int rowLine, BitSet oversizedCells) {
        this.cells = rowCells;
        this.line = rowLine;
        this.oversized = oversizedCells;
        this.valid = true;

        String slideId = slideId();
        String title = title();
        String body = optionalText(SlideColumn.BODY, MAX_BODY);
        String imageUrl = imageUrl();
        int durationSec = number(SlideColumn.DURATION_SEC, MIN_DURATION, MAX_DURATION, -1);
        Instant startAt = instant(SlideColumn.START_AT);
        Instant endAt = instant(SlideColumn.END_AT);
        if (startAt != null && endAt != null && !endAt.isAfter(startAt)) {
            problem(SlideColumn.END_AT, Problem.END_BEFORE_START, "end_at " + CellPreview.of(raw(SlideColumn.END_AT))
                    + " must be after start_at " + CellPreview.of(raw(SlideColumn.START_AT)));
        }
        String targetGroup = targetGroup();
        int priority = number(SlideColumn.PRIORITY, MIN_PRIORITY, MAX_PRIORITY, Slide.DEFAULT_PRIORITY);
        if (!valid) {
            return null;
        }
        return new Slide(slideId, title, body, imageUrl, durationSec, startAt, endAt, targetGroup, priority, line);
    }

    /**
     * The cell as written: "" when the column is absent or the row is short, {@code null} when the
     * cell was too large to keep (already reported, so not checked again).
     */
    private String raw(SlideColumn column) {
        int index = header.indexOf(column);
        if (index < 0 || index >= cells.length) {
            return "";
        }
        if (oversized.get(index)) {
            valid = false;
            return null;
        }
        return cells[index];
    }

    private String slideId() {
        String cell = raw(SlideColumn.SLIDE_ID);
        if (cell == null) {
            return null;
        }
        String id = Cells.unescapeIdentifier(Cells.trim(cell));
        if (id.isEmpty()) {
            problem(SlideColumn.SLIDE_ID, Problem.REQUIRED, "slide_id is required but the cell is empty");
        } else if (!Cells.isIdentifier(id)) {
            problem(SlideColumn.SLIDE_ID, Problem.BAD_ID, "slide_id must be " + ID_RULE + ", was " + CellPreview.of(cell));
        } else if (seenIds != null) {
            int firstLine = seenIds.firstLine(id, line);
            if (firstLine > 0) {
                problem(SlideColumn.SLIDE_ID, Problem.DUPLICATE_ID, "slide_id " + CellPreview.of(id)
                        + " is already used on line " + firstLine + "; every slide_id must be unique in the file");
            }
        }
        return id;
    }

    private String title() {
        String title = raw(SlideColumn.TITLE);
        if (title == null) {
            return null;
        }
        title = Cells.unescapeText(title);
        if (Cells.trim(title).isEmpty()) {
            problem(SlideColumn.TITLE, Problem.REQUIRED, "title is required but the cell is empty");
        } else {
            checkLength(SlideColumn.TITLE, title, MAX_TITLE);
        }
        return title;
    }

    /** Optional free text, as written; {@code null} when empty. */
    private String optionalText(SlideColumn column, int max) {
        String text = raw(column);
        if (text == null || text.isEmpty()) {
            return null;
        }
        text = Cells.unescapeText(text);
        checkLength(column, text, max);
        return text;
    }

    private boolean checkLength(SlideColumn column, String text, int max) {
        if (Cells.fits(text, max)) {
            return true;
        }
        problem(column, Problem.TOO_LONG, column.header + " has " + CellPreview.number(Cells.characters(text))
                + " characters; at most " + CellPreview.number(max) + " are allowed");
        return false;
    }

    private String imageUrl() {
        String cell = raw(SlideColumn.IMAGE_URL);
        if (cell == null) {
            return null;
        }
        String url = Cells.trim(cell);
        if (url.isEmpty()) {
            return null;
        }
        if (checkLength(SlideColumn.IMAGE_URL, url, MAX_URL) && !ImageUrls.isHttpUrl(url)) {
            problem(SlideColumn.IMAGE_URL, Problem.BAD_URL, "image_url must be an absolute http:// or https:// "
                    + "address such as https://example.com/a.png, was " + CellPreview.of(cell));
        }
        return url;
    }

    /** A whole number in [min, max]; {@code fallback} for an empty cell, or -1 to require one. */
    private int number(SlideColumn column, int min, int max, int fallback) {
        String cell = raw(column);
        if (cell == null) {
            return fallback;
        }
        String text = Cells.trim(cell);
        if (text.isEmpty()) {
            if (fallback < 0) {
                problem(column, Problem.REQUIRED, column.header + " is required but the cell is empty");
            }
            return fallback;
        }
        long value = Cells.wholeNumber(text);
        if (value >= min && value <= max) {
            return (int) value;
        }
        String code = value == Cells.NOT_A_NUMBER ? Problem.BAD_NUMBER : Problem.OUT_OF_RANGE;
        problem(column, code, column.header + " must be a whole number from " + min + " to " + max + ", was "
                + CellPreview.of(cell));
        return fallback;
    }

    /** Schedules outside these bounds are typos (and years before 1 AD cannot even be stored). */
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private Instant instant(SlideColumn column) {
        String cell = raw(column);
        if (cell == null) {
            return null;
        }
        String text = Cells.trim(cell);
        if (text.isEmpty()) {
            return null;
        }
        Instant instant = dates.parse(text);
        if (instant == null) {
            problem(column, Problem.BAD_DATE, column.header + " must be a date and time such as "
                    + DateTimeCells.EXAMPLES + ", was " + CellPreview.of(cell));
        } else if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            problem(column, Problem.OUT_OF_RANGE, column.header + " must be between 1970 and 9999 (a typo in the year?), was "
                    + CellPreview.of(cell));
            return null;
        }
        return instant;
    }

    private String targetGroup() {
        String cell = raw(SlideColumn.TARGET_GROUP);
        if (cell == null) {
            return null;
        }
        String group = Cells.unescapeIdentifier(Cells.trim(cell));
        if (group.isEmpty()) {
            return null;
        }
        if (!Cells.isIdentifier(group)) {
            problem(SlideColumn.TARGET_GROUP, Problem.BAD_ID, "target_group must be empty (every group) or "
                    + ID_RULE + ", was " + CellPreview.of(cell));
        }
        return group;
    }

    private void problem(SlideColumn column, String code, String message) {
        valid = false;
        problems.add(line, column.header, code, message);
    }
}
