package dev.signagefleet.common.csv;

import com.opencsv.CSVWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes CSV that a spreadsheet opens safely: every cell a spreadsheet would run as a formula
 * (starting with {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return) is prefixed
 * with an apostrophe, the OWASP recommendation against CSV injection. Plain numbers such as
 * {@code -3.5} are left alone: a spreadsheet reads them as numbers, not formulas. The data itself is
 * stored as written; only exports are escaped.
 */
public final class SpreadsheetSafeCsv implements Closeable {

    private final CSVWriter writer;

    public SpreadsheetSafeCsv(Writer out) {
        this.writer = new CSVWriter(out, ',', CSVWriter.DEFAULT_QUOTE_CHARACTER, CSVWriter.DEFAULT_ESCAPE_CHARACTER, "\r\n");
    }

    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("^[+-]?\\d+(\\.\\d+)?([eE][+-]?\\d+)?$");

    /** Makes one cell safe to open in a spreadsheet. */
    public static String escape(String cell) {
        if (cell == null || cell.isEmpty()) {
            return cell == null ? "" : cell;
        }
        if (NUMBER.matcher(cell).matches()) {
            return cell;
        }
        if (isFormulaTrigger(cell.charAt(0)) || startsWithEscapedFormula(cell)) {
            // An apostrophe more: a cell that already starts with apostrophes before a formula character keeps
            // them, as the slide reader drops exactly one (SlideCsvReader), so an export uploads back unchanged.
            return "'" + cell;
        }
        return cell;
    }

    /** Characters a spreadsheet takes as the start of a formula. */
    public static boolean isFormulaTrigger(char c) {
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
    }

    /** One or more apostrophes, then a formula character: what {@link #escape} wrote, or what it escapes again. */
    public static boolean startsWithEscapedFormula(String cell) {
        int i = 0;
        while (i < cell.length() && cell.charAt(i) == '\'') {
            i++;
        }
        return i > 0 && i < cell.length() && isFormulaTrigger(cell.charAt(i));
    }

    public void row(List<String> cells) {
        String[] safe = new String[cells.size()];
        for (int i = 0; i < safe.length; i++) {
            safe[i] = escape(cells.get(i));
        }
        writer.writeNext(safe, true);
    }

    public void flush() {
        try {
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
