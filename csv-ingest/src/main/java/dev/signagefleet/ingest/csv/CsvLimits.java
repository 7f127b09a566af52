package dev.signagefleet.ingest.csv;

/**
 * Bounds that keep a hostile or broken file from exhausting memory: whatever the file holds, the
 * reader keeps at most one row of {@code maxRowChars} characters and {@code maxProblems} problems.
 *
 * @param maxCellChars   characters (UTF-16 units) one cell may have; longer cells are streamed
 *                       past without being kept and reported as {@code cell_too_large}
 * @param maxColumns     columns the header may have ({@code too_many_columns} beyond)
 * @param maxRowChars    characters one row may keep across its physical lines (the line-length bound)
 * @param maxProblems    problems kept in memory; the rest are only counted
 * @param detectionBytes bytes at the start of the file looked at to detect the charset
 */
public record CsvLimits(int maxCellChars, int maxColumns, int maxRowChars, int maxProblems, int detectionBytes) {

    /** 64 Ki: 30 times the longest legal cell (a 2,000-character body), still cheap to hold. */
    public static final int DEFAULT_MAX_CELL_CHARS = 64 * 1024;
    /** A slides file has 9 columns; 100 leaves room for spreadsheets with helper columns. */
    public static final int DEFAULT_MAX_COLUMNS = 100;
    /** 1 Mi: far above a legal row (under 5,000 characters in the known columns). */
    public static final int DEFAULT_MAX_ROW_CHARS = 1024 * 1024;
    /** Enough for a person to work through; a file with more is wrong in a systematic way. */
    public static final int DEFAULT_MAX_PROBLEMS = 10_000;
    /** 1 MiB: thousands of rows, enough to see non-ASCII text, small enough to buffer once. */
    public static final int DEFAULT_DETECTION_BYTES = 1024 * 1024;

    public static final CsvLimits DEFAULTS = new CsvLimits(DEFAULT_MAX_CELL_CHARS, DEFAULT_MAX_COLUMNS,
            DEFAULT_MAX_ROW_CHARS, DEFAULT_MAX_PROBLEMS, DEFAULT_DETECTION_BYTES);

    public CsvLimits {
        if (maxCellChars < 1 || maxColumns < 1 || maxRowChars < 1 || maxProblems < 1 || detectionBytes < 4) {
            throw new IllegalArgumentException("CSV limits must be positive (detectionBytes at least 4)");
        }
    }
}
