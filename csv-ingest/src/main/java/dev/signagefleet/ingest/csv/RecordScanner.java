package dev.signagefleet.ingest.csv;

import com.opencsv.CSVParser;
import com.opencsv.CSVParserBuilder;
import com.opencsv.ICSVParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * Cuts a byte stream into CSV rows while holding at most one bounded row, and reports what only the
 * raw text shows: invalid bytes, binary data, oversized cells and a quote left open at the end.
 *
 * <p>It decodes strictly, counts physical lines (CRLF, LF or a lone CR), and follows quotes the way
 * opencsv's {@link CSVParser} does: every quote toggles, a doubled quote inside a quoted cell counts
 * twice, so a comma or line break is part of a cell exactly while an odd number of quotes has been
 * seen in the row. It keeps only the cells of the columns it is told to keep (dropped cells stay as
 * empty cells so positions hold), streams past cells over the limit, and turns line breaks inside
 * cells into {@code \n}.
 *
 * <p>opencsv reads every cell that contains a quote; a cell without quotes is its text as it
 * stands, which is what opencsv makes of it too, only faster. opencsv reads a quote near the start of
 * a line differently from one further on, and carries a little state from one line to the next, so
 * each quoted cell is given to it behind {@link #NOT_AT_LINE_START}: every cell, the first included,
 * is read the same way, as opencsv reads a cell in the middle of a row.
 */
final class RecordScanner {

    private static final char REPLACEMENT = '\uFFFD';
    private static final char BOM = '\uFEFF';
    private static final int BUFFER_SIZE = 64 * 1024;
    /** Puts a cell past the start of the line and ends any state of the previous one (see above). */
    static final String NOT_AT_LINE_START = "....,";

    private final InputStream in;
    private final CharsetDecoder decoder;
    private final String encodingHint;
    private final int maxCellChars;
    private final int maxRowChars;
    private final ProblemLog problems;
    private final CSVParser parser = new CSVParserBuilder()
            .withSeparator(',')
            .withQuoteChar('"')
            .withEscapeChar(ICSVParser.NULL_CHARACTER)
            .withStrictQuotes(false)
            .withIgnoreLeadingWhiteSpace(false)
            .withIgnoreQuotations(false)
            .build();

    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER_SIZE).flip();
    private final CharBuffer chars = CharBuffer.allocate(BUFFER_SIZE);
    private final char[] buf = chars.array();
    private int pos;
    private int limit;
    private boolean inputEnded;
    private boolean decoderFlushed;
    private boolean invalidBytesNext;
    private int invalidAt = -1;
    private boolean skipLf;
    private boolean bomAllowed = true;
    private int line = 1;

    /** Column labels for messages; {@code null} while the header is read. */
    private String[] labels;
    private boolean[] keep;
    private int keptCells;
    /** Where each kept cell of the current row starts in {@link #text}. */
    private int[] cellStarts;
    /** Kept cells of the current row that contain a quote (opencsv reads those). */
    private final BitSet quotedCells = new BitSet();

    private char[] text = new char[4096];
    private int textLength;
    private int startLine;
    private int cellCount;
    private boolean clean;
    private boolean blank;
    private boolean binary;
    private boolean encodingReported;
    private boolean unclosedQuote;
    private final BitSet oversized = new BitSet();

    private long midFileBoms;
    private int firstMidFileBomLine;
    private long strayQuotes;
    private int firstStrayQuoteLine;
    private String firstStrayQuoteColumn;

    RecordScanner(InputStream in, Charset charset, CsvLimits limits, ProblemLog problems) {
        this.in = in;
        this.decoder = CsvCharsets.strictDecoder(charset);
        this.encodingHint = encodingHint(charset);
        this.maxCellChars = limits.maxCellChars();
        this.maxRowChars = limits.maxRowChars();
        this.problems = problems;
        keepColumns(null, limits.maxColumns());
    }

    private static String encodingHint(Charset charset) {
        if (charset.equals(StandardCharsets.UTF_8)) {
            return "save the file as UTF-8, or pass charset=Shift_JIS if it is Shift_JIS";
        }
        if (charset.equals(CsvCharsets.WINDOWS_31J)) {
            return "save the file as UTF-8, or pass charset=UTF-8 if it is UTF-8";
        }
        return "save the file as UTF-8";
    }

    /**
     * Which cells of the following rows to keep: those whose index is below {@code count} and marked
     * in {@code keep}; the others are only measured and counted. {@code labels} name the columns in
     * messages ({@code null}, while reading the header: "column N").
     */
    void keepColumns(String[] labels, boolean[] keep, int count) {
        this.labels = labels;
        this.keep = keep;
        this.keptCells = count;
        this.cellStarts = new int[count + 1];
    }

    private void keepColumns(String[] labels, int count) {
        boolean[] all = new boolean[count];
        Arrays.fill(all, true);
        keepColumns(labels, all, count);
    }

    /**
     * Reads the next row; false at the end of the file. One loop over characters on purpose: it runs
     * for every character of the file, with its state in local variables.
     */
    boolean next() throws IOException {
        textLength = 0;
        cellCount = 1;
        clean = true;
        blank = true;
        binary = false;
        encodingReported = false;
        unclosedQuote = false;
        oversized.clear();
        quotedCells.clear();
        startLine = line;

        int cell = 0;
        int cellLength = 0;
        int cellStart = 0;
        int cellLine = line;
        boolean keeping = keptCells > 0 && keep[0];
        int afterQuote = -1;
        boolean cellTooLarge = false;
        boolean inQuotes = false;
        boolean any = false;
        while (true) {
            if (pos == limit && !refill()) {
                if (!any) {
                    return false;
                }
                if (inQuotes) {
                    reportUnclosedQuote(cellLine, cell);
                }
                break;
            }
            char c = buf[pos++];
            if (skipLf) {
                skipLf = false;
                if (c == '\n') {
                    continue;
                }
            }
            boolean plain = c >= 0x7F
                    ? c != 0x7F && c != BOM && c != REPLACEMENT
                    : c > ',' || (c >= ' ' && c != '"' && c != ',');
            if (!plain) {
                if (!inQuotes && (c == ',' || c == '\n' || c == '\r')) {
                    any = true;
                    if (c != ',') {
                        lineBreak(c);
                        break;
                    }
                    cell++;
                    if (cellCount < Integer.MAX_VALUE) {
                        cellCount++;
                    }
                    if (cell < keptCells) {
                        append(',');
                    }
                    keeping = cell < keptCells && keep[cell];
                    cellLength = 0;
                    afterQuote = -1;
                    cellStart = textLength;
                    if (cell < keptCells) {
                        cellStarts[cell] = cellStart;
                    }
                    cellLine = line;
                    cellTooLarge = false;
                    continue;
                }
                if (c == '\n' || c == '\r') {
                    lineBreak(c);
                    c = '\n';
                } else if (c == '"') {
                    // A quote that opens after text, unless it directly follows a quote ("" inside quotes).
                    if (!inQuotes && cellLength > 0 && cellLength != afterQuote) {
                        noteStrayQuote(cell);
                    }
                    inQuotes = !inQuotes;
                    afterQuote = cellLength + 1;
                    if (keeping) {
                        quotedCells.set(cell);
                    }
                } else if (c == BOM) {
                    if (!(bomAllowed && !any)) {
                        noteMidFileBom();
                    }
                    continue;
                } else if (c == REPLACEMENT) {
                    if (pos - 1 == invalidAt) {
                        reportInvalidBytes(cell);
                    }
                } else if (c != '\t' && c != ',') {
                    reportBinary(c, cell);
                    c = REPLACEMENT;
                }
            }
            any = true;
            blank = false;
            if (keeping) {
                if (cellLength < maxCellChars && textLength < maxRowChars) {
                    append(c);
                    cellLength++;
                    continue;
                }
                keeping = false;
                textLength = cellStart;
                quotedCells.clear(cell);
            } else if (cellTooLarge || ++cellLength <= maxCellChars) {
                continue;
            }
            cellTooLarge = true;
            reportTooLarge(cellLine, cell, cellLength >= maxCellChars);
        }
        bomAllowed = false;
        return true;
    }

    /** Counts a physical line; a CR may be followed by the LF of the same line break. */
    private void lineBreak(char c) {
        skipLf = c == '\r';
        if (line < Integer.MAX_VALUE) {
            line++;
        }
    }

    private void append(char c) {
        if (textLength == text.length) {
            text = Arrays.copyOf(text, text.length * 2);
        }
        text[textLength++] = c;
    }

    /** Refills the character buffer; false at the end of the input. */
    private boolean refill() throws IOException {
        chars.clear();
        invalidAt = -1;
        while (chars.position() == 0) {
            if (invalidBytesNext) {
                invalidBytesNext = false;
                invalidAt = 0;
                chars.put(REPLACEMENT);
                break;
            }
            if (decoderFlushed) {
                break;
            }
            CoderResult result = decoder.decode(bytes, chars, inputEnded);
            if (result.isError()) {
                bytes.position(bytes.position() + result.length());
                invalidBytesNext = true;
            } else if (result.isUnderflow()) {
                if (inputEnded) {
                    decoder.flush(chars);
                    decoderFlushed = true;
                } else {
                    readBytes();
                }
            }
        }
        chars.flip();
        pos = 0;
        limit = chars.limit();
        return limit > 0;
    }

    private void readBytes() throws IOException {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        if (n < 0) {
            inputEnded = true;
        } else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    private String label(int cell) {
        if (labels == null || cell >= labels.length) {
            return "column " + (cell + 1);
        }
        return labels[cell];
    }

    private void reportInvalidBytes(int cell) {
        clean = false;
        if (!encodingReported) {
            encodingReported = true;
            problems.add(line, label(cell), Problem.BAD_ENCODING, "line " + line + " has bytes that are not valid "
                    + decoder.charset().name() + " (in " + label(cell) + "); " + encodingHint);
        }
    }

    private void reportBinary(char c, int cell) {
        clean = false;
        if (!binary) {
            binary = true;
            if (labels != null) {
                problems.add(line, label(cell), Problem.BINARY_DATA, label(cell) + " contains the control character "
                        + String.format(Locale.ROOT, "U+%04X", (int) c) + "; a CSV file holds text only");
            }
        }
    }

    private void reportTooLarge(int cellLine, int cell, boolean cellLimit) {
        clean = false;
        oversized.set(cell);
        String what = cellLimit
                ? label(cell) + " is longer than " + CellPreview.number(maxCellChars) + " characters"
                : "the row is longer than " + CellPreview.number(maxRowChars) + " characters at " + label(cell);
        problems.add(cellLine, label(cell), Problem.CELL_TOO_LARGE, what + "; the cell was skipped (a "
                + "quote left open earlier can also make a cell this long)");
    }

    private void reportUnclosedQuote(int cellLine, int cell) {
        clean = false;
        unclosedQuote = true;
        problems.add(cellLine, label(cell), Problem.UNCLOSED_QUOTE, "the quoted cell in " + label(cell)
                + " that starts on line " + cellLine + " is never closed: the file ends inside it; close it with \" "
                + "and write a quote inside a cell as \"\"");
    }

    private void noteStrayQuote(int cell) {
        if (strayQuotes++ == 0) {
            firstStrayQuoteLine = line;
            firstStrayQuoteColumn = label(cell);
        }
    }

    private void noteMidFileBom() {
        if (midFileBoms++ == 0) {
            firstMidFileBomLine = line;
        }
    }

    /**
     * The kept cells of the row just read (as many as the row has, at most the kept columns);
     * {@code null} when a quote was left open.
     */
    String[] cells() {
        if (unclosedQuote) {
            return null;
        }
        int count = Math.min(cellCount, keptCells);
        String[] cells = new String[count];
        for (int i = 0; i < count; i++) {
            int start = cellStarts[i];
            int end = i + 1 < count ? cellStarts[i + 1] - 1 : textLength;
            String cell = new String(text, start, end - start);
            cells[i] = quotedCells.get(i) ? unquote(cell) : cell;
        }
        return cells;
    }

    /** A cell with quotes as opencsv reads it. */
    private String unquote(String cell) {
        try {
            String[] parsed = parser.parseLine(NOT_AT_LINE_START + cell);
            // Two parts always: the cell's quotes are balanced, so its commas are all inside quotes.
            return parsed.length == 2 ? parsed[1] : cell;
        } catch (IOException e) {
            // Only thrown for a quote left open, which next() has ruled out.
            throw new IllegalStateException("opencsv found an open quote in a balanced cell: " + cell, e);
        }
    }

    /** Physical line where the row just read starts. */
    int startLine() {
        return startLine;
    }

    /** Cells in the row just read, kept or not. */
    int cellCount() {
        return cellCount;
    }

    /** True when nothing but separators was in the row (a blank line, or {@code ,,,}). */
    boolean blank() {
        return blank;
    }

    /** True when the raw text of the row had no problem. */
    boolean clean() {
        return clean;
    }

    /** True when the row contained control characters (always checked, even for the header). */
    boolean binary() {
        return binary;
    }

    /** Cells that were over the size limit: their text was dropped, so they are not validated. */
    BitSet oversizedCells() {
        return oversized;
    }

    /** Warnings about the raw text seen so far. */
    void addWarnings(List<String> warnings) {
        if (midFileBoms > 0) {
            warnings.add("removed " + CellPreview.number(midFileBoms) + " byte order mark(s) (U+FEFF) found inside the "
                    + "file, first on line " + firstMidFileBomLine + "; were two files joined together?");
        }
        if (strayQuotes > 0) {
            warnings.add(CellPreview.number(strayQuotes) + " cell(s) have a quote after other text without being "
                    + "quoted, first on line " + firstStrayQuoteLine + " in " + firstStrayQuoteColumn + "; they were "
                    + "read leniently. Put such a cell in quotes and double the quotes inside it: \"5\"\" screen\"");
        }
    }
}
