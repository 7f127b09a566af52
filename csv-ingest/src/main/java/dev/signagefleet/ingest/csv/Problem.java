package dev.signagefleet.ingest.csv;

/**
 * One thing wrong with an uploaded file, for a human to fix.
 *
 * @param line    physical line of the file (1 = header; 0 = the file as a whole)
 * @param column  the column's name from the header (trimmed, in lower case), {@code "column N"} where
 *                the header has no name for it, or {@code null} for a problem of the whole row or file
 * @param code    one of the stable codes below, for programs
 * @param message a sentence for a person: the column, what was found and what is expected
 */
public record Problem(int line, String column, String code, String message) {

    public static final String EMPTY_FILE = "empty_file";
    public static final String HEADER_ONLY = "header_only";
    public static final String MISSING_COLUMN = "missing_column";
    public static final String DUPLICATE_COLUMN = "duplicate_column";
    public static final String TOO_MANY_COLUMNS = "too_many_columns";
    public static final String UNCLOSED_QUOTE = "unclosed_quote";
    public static final String WRONG_COLUMN_COUNT = "wrong_column_count";
    public static final String CELL_TOO_LARGE = "cell_too_large";
    public static final String BAD_ENCODING = "bad_encoding";
    public static final String BINARY_DATA = "binary_data";
    public static final String REQUIRED = "required";
    public static final String BAD_NUMBER = "bad_number";
    public static final String OUT_OF_RANGE = "out_of_range";
    public static final String BAD_ID = "bad_id";
    public static final String DUPLICATE_ID = "duplicate_id";
    public static final String BAD_DATE = "bad_date";
    public static final String END_BEFORE_START = "end_before_start";
    public static final String TOO_LONG = "too_long";
    public static final String BAD_URL = "bad_url";
}
