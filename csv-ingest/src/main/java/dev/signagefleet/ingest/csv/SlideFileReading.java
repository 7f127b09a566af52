package dev.signagefleet.ingest.csv;

import java.io.IOException;
import java.time.ZoneId;
import java.util.List;

/**
 * One read of one file, from the header to the last row: finds the header, then checks each row
 * and hands the valid ones to the sink. Blank rows (nothing but commas) are skipped and counted
 * in a warning; when the header cannot be used the rows are only counted. A first pass
 * ({@link SlideCsvReader#readFirstPass}) remembers no slide id and stops at the first problem.
 */
final class SlideFileReading {

    private final RecordScanner scanner;
    private final ZoneId fleetZone;
    private final CsvLimits limits;
    private final ProblemLog problems;
    private final List<String> warnings;
    private final SlideSink sink;
    /** {@code null} in a first pass: the sink refuses repeated ids itself. */
    private final RepeatedIds seenIds;
    private final boolean firstPass;

    private long rows;
    private long blankRows;
    private int firstBlankLine;

    SlideFileReading(RecordScanner scanner, ZoneId fleetZone, CsvLimits limits, ProblemLog problems,
            List<String> warnings, SlideSink sink, RepeatedIds seenIds) {
        this.scanner = scanner;
        this.fleetZone = fleetZone;
        this.limits = limits;
        this.problems = problems;
        this.warnings = warnings;
        this.sink = sink;
        this.seenIds = seenIds;
        this.firstPass = seenIds == null;
    }

    /** Reads the whole file and returns the number of data rows. */
    long readAll() throws IOException {
        if (!nextRowWithText()) {
            problems.add(0, null, Problem.EMPTY_FILE, "the file is empty; a slides CSV starts with a header row "
                    + "such as slide_id,title,duration_sec");
            return 0;
        }
        if (scanner.binary()) {
            problems.add(0, null, Problem.BINARY_DATA, "the file does not look like CSV text: its first line holds "
                    + "binary data (control characters); upload a CSV file saved as UTF-8 or Shift_JIS");
            return 0;
        }
        Header header = Header.read(scanner.cells(), scanner.cellCount(), scanner.startLine(), limits, problems, warnings);
        scanner.keepColumns(header.labels(), header.keep(), header.size());
        RowValidator validator = header.usable() ? new RowValidator(header, fleetZone, problems, seenIds) : null;
        while (!(firstPass && problems.any()) && nextRowWithText()) {
            rows++;
            if (validator != null) {
                check(header, validator);
            }
        }
        if (rows == 0 && header.usable()) {
            problems.add(header.line(), null, Problem.HEADER_ONLY, "the file has a header row but no slides below it");
        }
        addWarnings();
        return rows;
    }

    private boolean nextRowWithText() throws IOException {
        while (scanner.next()) {
            if (!scanner.blank()) {
                return true;
            }
            if (blankRows++ == 0) {
                firstBlankLine = scanner.startLine();
            }
        }
        return false;
    }

    private void check(Header header, RowValidator validator) {
        int line = scanner.startLine();
        boolean clean = scanner.clean();
        if (scanner.cellCount() > header.size()) {
            clean = false;
            problems.add(line, null, Problem.WRONG_COLUMN_COUNT, "the row has " + CellPreview.number(scanner.cellCount())
                    + " cells but the header has " + header.size() + " columns; put a cell that contains a comma in "
                    + "quotes");
        }
        String[] cells = scanner.cells();
        if (cells == null) {
            return;
        }
        Slide slide = validator.validate(cells, line, scanner.oversizedCells());
        if (slide != null && clean) {
            try {
                sink.accept(slide);
            } catch (Exception e) {
                throw new SlideSinkException(line, e);
            }
        }
    }

    private void addWarnings() {
        if (blankRows > 0) {
            warnings.add("skipped " + CellPreview.number(blankRows) + " blank row(s), first on line " + firstBlankLine);
        }
        scanner.addWarnings(warnings);
        String idWarning = seenIds == null ? null : seenIds.warning();
        if (idWarning != null) {
            warnings.add(idWarning);
        }
    }
}
