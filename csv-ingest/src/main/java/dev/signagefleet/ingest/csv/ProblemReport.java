package dev.signagefleet.ingest.csv;

import dev.signagefleet.common.csv.SpreadsheetSafeCsv;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Arrays;
import java.util.List;

/**
 * The problems of an upload as a CSV a spreadsheet opens safely ({@code errors.csv}): one row per
 * problem with {@code line,column,code,message}. Cells that a spreadsheet would run as a formula are
 * escaped (a message may quote a cell such as {@code =cmd|...}). It starts with a byte order mark so
 * that Excel reads it as UTF-8, so write it to a UTF-8 writer.
 */
public final class ProblemReport {

    public static final List<String> HEADER = List.of("line", "column", "code", "message");

    /** Code of the last row when some problems were not kept, so the report says it is incomplete. */
    public static final String PROBLEMS_OMITTED = "problems_omitted";

    private ProblemReport() {
    }

    /** Writes the report of these problems; the writer is flushed, not closed. */
    public static void writeCsv(List<Problem> problems, Writer out) {
        writeCsv(problems, 0, out);
    }

    /** Writes the report, ending with a row saying how many further problems were not kept. */
    public static void writeCsv(List<Problem> problems, long omitted, Writer out) {
        SpreadsheetSafeCsv csv = startCsv(out);
        csv.row(HEADER);
        for (Problem problem : problems) {
            csv.row(Arrays.asList(Integer.toString(problem.line()), problem.column(), problem.code(), problem.message()));
        }
        if (omitted > 0) {
            csv.row(Arrays.asList("", "", PROBLEMS_OMITTED, CellPreview.number(omitted)
                    + " more problem(s) were found but are not listed; fix the ones above and upload again"));
        }
        csv.flush();
    }

    /** A spreadsheet-safe CSV on {@code out}, after a byte order mark. */
    static SpreadsheetSafeCsv startCsv(Writer out) {
        try {
            out.write('\uFEFF');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new SpreadsheetSafeCsv(out);
    }
}
