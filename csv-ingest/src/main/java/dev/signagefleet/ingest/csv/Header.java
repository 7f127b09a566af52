package dev.signagefleet.ingest.csv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where each known column sits in a file, read from its header row: names trimmed and compared
 * without case, in any order; unknown names are ignored with a warning.
 */
final class Header {

    /** Header names longer than this are shortened in messages; no real name comes near it. */
    private static final int MAX_LABEL_CHARS = 64;

    private final int line;
    private final int[] index = new int[SlideColumn.values().length];
    private final String[] labels;
    private final boolean[] keep;
    private boolean usable = true;

    private Header(int line, int size) {
        this.line = line;
        Arrays.fill(index, -1);
        this.labels = new String[size];
        this.keep = new boolean[size];
    }

    /**
     * Reads the header row: {@code cells} as split by opencsv ({@code null} when the row could not be
     * split), {@code cellCount} the cells the row really had.
     */
    static Header read(String[] cells, int cellCount, int line, CsvLimits limits, ProblemLog problems,
            List<String> warnings) {
        if (cellCount > limits.maxColumns()) {
            problems.add(line, null, Problem.TOO_MANY_COLUMNS, "the header has " + CellPreview.number(cellCount)
                    + " columns; at most " + limits.maxColumns() + " are allowed, so the rows were not checked");
            return unusable(line);
        }
        if (cells == null) {
            return unusable(line);
        }
        Header header = new Header(line, cells.length);
        header.map(cells, problems, warnings);
        return header;
    }

    private static Header unusable(int line) {
        Header header = new Header(line, 0);
        header.usable = false;
        return header;
    }

    private void map(String[] cells, ProblemLog problems, List<String> warnings) {
        List<String> unknown = new ArrayList<>();
        int unnamed = 0;
        for (int i = 0; i < cells.length; i++) {
            String name = Cells.trim(stripBom(cells[i])).toLowerCase(Locale.ROOT);
            labels[i] = name.isEmpty() ? "column " + (i + 1) : shorten(name);
            SlideColumn column = SlideColumn.byHeader(name);
            if (column == null) {
                if (name.isEmpty()) {
                    unnamed++;
                } else {
                    unknown.add(labels[i]);
                }
            } else if (index[column.ordinal()] >= 0) {
                problems.add(line, column.header, Problem.DUPLICATE_COLUMN, "column " + column.header
                        + " appears twice in the header (columns " + (index[column.ordinal()] + 1) + " and " + (i + 1)
                        + "); remove one of them (the first is the one checked)");
            } else {
                index[column.ordinal()] = i;
                keep[i] = true;
            }
        }
        for (SlideColumn column : SlideColumn.values()) {
            if (column.required && index[column.ordinal()] < 0) {
                usable = false;
                problems.add(line, column.header, Problem.MISSING_COLUMN, "the header has no column " + column.header
                        + ", which is required, so the rows were not checked; the header has: "
                        + String.join(", ", Arrays.asList(labels)));
            }
        }
        if (!unknown.isEmpty()) {
            warnings.add("ignored unknown column(s): " + String.join(", ", unknown) + " (known columns: "
                    + knownColumns() + ")");
        }
        if (unnamed > 0) {
            warnings.add("ignored " + unnamed + " column(s) without a name in the header");
        }
    }

    private static String stripBom(String cell) {
        return cell.startsWith("\uFEFF") ? cell.substring(1) : cell;
    }

    private static String shorten(String name) {
        return name.length() <= MAX_LABEL_CHARS ? name : name.substring(0, MAX_LABEL_CHARS) + "…";
    }

    private static String knownColumns() {
        StringBuilder known = new StringBuilder();
        for (SlideColumn column : SlideColumn.values()) {
            known.append(known.length() == 0 ? "" : ", ").append(column.header);
        }
        return known.toString();
    }

    /** False when a required column is missing or the header could not be read: rows cannot be checked. */
    boolean usable() {
        return usable;
    }

    /** Position of the column in each row, or -1 when the file does not have it. */
    int indexOf(SlideColumn column) {
        return index[column.ordinal()];
    }

    /** Columns in the header. */
    int size() {
        return labels.length;
    }

    int line() {
        return line;
    }

    /** Name of each column for messages: as written (trimmed, lower case), or {@code column N}. */
    String[] labels() {
        return labels;
    }

    /** Which columns' cells the rows need; the others are dropped while reading. */
    boolean[] keep() {
        return keep;
    }
}
