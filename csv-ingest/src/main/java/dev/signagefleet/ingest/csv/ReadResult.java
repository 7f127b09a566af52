package dev.signagefleet.ingest.csv;

import java.nio.charset.Charset;
import java.util.List;

/**
 * What reading a slides CSV found.
 *
 * @param charset         the charset the file was decoded with
 * @param charsetDetected {@code true} when it was detected, {@code false} when the caller chose it
 * @param rows            data rows read (valid or not), not counting the header and blank rows
 * @param warnings        things worth telling the uploader that do not reject the file
 * @param problems        the first {@link CsvLimits#maxProblems()} problems, in file order
 * @param problemsOmitted how many further problems were found but not kept
 */
public record ReadResult(
        Charset charset,
        boolean charsetDetected,
        long rows,
        List<String> warnings,
        List<Problem> problems,
        long problemsOmitted) {

    public ReadResult {
        warnings = List.copyOf(warnings);
        problems = List.copyOf(problems);
    }

    /** True when the file has no problem at all: every row went to the sink. */
    public boolean ok() {
        return problems.isEmpty() && problemsOmitted == 0;
    }

    /** Every problem found, including those not kept. */
    public long problemCount() {
        return problems.size() + problemsOmitted;
    }
}
