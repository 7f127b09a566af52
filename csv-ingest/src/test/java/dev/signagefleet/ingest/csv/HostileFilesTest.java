package dev.signagefleet.ingest.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Files built to exhaust memory or time: each must give a clear problem quickly while the reader
 * allocates a small, fixed amount whatever the file's size (the 1 MiB detection prefix and its
 * 64 KiB buffers). Allocation is measured per thread, so the numbers are the reader's own.
 */
class HostileFilesTest {

    private static final long MIB = 1024 * 1024;
    /** Prefix, buffers and the kept text of one row; a file's worth would be tens of MiB. */
    private static final long FLAT = 6 * MIB;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private record Measured(CsvFixture.Outcome outcome, long allocatedBytes) {
    }

    /** Reads the file, and subtracts what making it up costs (measured by draining a second copy). */
    private static Measured read(Supplier<InputStream> file) throws IOException {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        file.get().transferTo(OutputStream.nullOutputStream());
        long generating = THREADS.getCurrentThreadAllocatedBytes() - before;

        before = THREADS.getCurrentThreadAllocatedBytes();
        CsvFixture.Outcome out = CsvFixture.stream(file.get(), null, new SlideCsvReader());
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before - generating;
        System.out.printf("%s: the reader allocated %,d bytes (the generated file %,d)%n", out.codes(), allocated, generating);
        return new Measured(out, allocated);
    }

    @Test
    void aTenMegabyteCellIsStreamedPastAndReported() throws IOException {
        Supplier<InputStream> in = () -> GeneratedInput.repeated("slide_id,title,body,duration_sec\na,T,\"", "x", 10 * MIB,
                "\",5\nb,T,fine,6\n");

        Measured m = read(in);

        assertThat(m.outcome().result().problems())
                .extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(tuple(2, "body", Problem.CELL_TOO_LARGE));
        assertThat(m.outcome().result().problems().get(0).message()).startsWith("body is longer than 65,536 characters");
        assertThat(m.outcome().slides()).extracting(Slide::slideId).containsExactly("b");
        assertThat(m.outcome().result().rows()).isEqualTo(2);
        assertThat(m.allocatedBytes()).isLessThan(FLAT);
    }

    @Test
    void aHugeCellInAnUnknownColumnIsReportedButNotKept() throws IOException {
        Supplier<InputStream> in = () -> GeneratedInput.repeated("slide_id,notes,title,duration_sec\na,", "y", 10 * MIB, ",T,5\n");

        Measured m = read(in);

        assertThat(m.outcome().result().problems()).extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(tuple(2, "notes", Problem.CELL_TOO_LARGE));
        assertThat(m.allocatedBytes()).isLessThan(FLAT);
    }

    @Test
    void aHeaderOfAHundredThousandColumnsIsOneProblem() throws IOException {
        Supplier<InputStream> in = () -> GeneratedInput.repeated("slide_id,title,duration_sec", ",extra", 100_000, "\na,T,5\nb,T,6\n");

        Measured m = read(in);

        assertThat(m.outcome().result().problems())
                .extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(tuple(1, null, Problem.TOO_MANY_COLUMNS));
        assertThat(m.outcome().result().problems().get(0).message())
                .isEqualTo("the header has 100,003 columns; at most 100 are allowed, so the rows were not checked");
        assertThat(m.outcome().result().rows()).isEqualTo(2);
        assertThat(m.allocatedBytes()).isLessThan(FLAT);
    }

    @Test
    void aRowOfAMillionCellsIsOneProblem() throws IOException {
        Supplier<InputStream> in = () -> GeneratedInput.repeated("slide_id,title,duration_sec\na,T,5", ",", 1_000_000, "\nb,T,6\n");

        Measured m = read(in);

        assertThat(m.outcome().result().problems())
                .extracting(Problem::line, Problem::code)
                .containsExactly(tuple(2, Problem.WRONG_COLUMN_COUNT));
        assertThat(m.outcome().slides()).extracting(Slide::slideId).containsExactly("b");
        assertThat(m.allocatedBytes()).isLessThan(FLAT);
    }

    @Test
    void aStrayQuoteThatSwallowsTheRestOfTheFileIsFoundWithFlatMemory() throws IOException {
        Supplier<InputStream> in = () -> GeneratedInput.rows("slide_id,title,duration_sec\n", 200_000,
                i -> i == 2 ? "s2,\"The 5 inch screen,5\n" : "s" + i + ",Title " + i + ",5\n");

        Measured m = read(in);

        assertThat(m.outcome().result().problems())
                .extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(
                        tuple(3, "title", Problem.CELL_TOO_LARGE),
                        tuple(3, "title", Problem.UNCLOSED_QUOTE));
        assertThat(m.outcome().slides()).hasSize(1);
        assertThat(m.allocatedBytes()).isLessThan(FLAT);
    }

    @Test
    void problemsBeyondTheLimitAreCountedNotKept() {
        Supplier<InputStream> in = () -> GeneratedInput.rows("slide_id,title,duration_sec\n", 12_000, i -> "s" + i + ",T,0\n");

        CsvFixture.Outcome out = CsvFixture.stream(in.get(), null, new SlideCsvReader());

        assertThat(out.result().problems()).hasSize(CsvLimits.DEFAULT_MAX_PROBLEMS);
        assertThat(out.result().problemsOmitted()).isEqualTo(2_000);
        assertThat(out.result().problemCount()).isEqualTo(12_000);
        assertThat(out.result().ok()).isFalse();
        assertThat(out.result().problems().get(9_999).line()).isEqualTo(10_001);

        StringWriter report = new StringWriter();
        ProblemReport.writeCsv(out.result().problems(), out.result().problemsOmitted(), report);
        List<String> lines = report.toString().lines().collect(Collectors.toList());
        assertThat(lines).hasSize(10_002);
        assertThat(lines.get(10_001)).startsWith("\"\",\"\",\"problems_omitted\",\"2,000 more problem(s)");
    }

    @Test
    void limitsCanBeTightened() {
        CsvLimits tight = new CsvLimits(20, 4, 1000, 3, 1024);
        String header = "slide_id,title,duration_sec\n";
        String rows = IntStream.rangeClosed(1, 5).mapToObj(i -> "s" + i + ",A title longer than twenty,5\n")
                .collect(Collectors.joining());

        CsvFixture.Outcome out = CsvFixture.stream(new java.io.ByteArrayInputStream((header + rows).getBytes()), null,
                new SlideCsvReader(SlideCsvReader.DEFAULT_FLEET_ZONE, tight));

        assertThat(out.result().problems()).hasSize(3).allSatisfy(p -> assertThat(p.code()).isEqualTo(Problem.CELL_TOO_LARGE));
        assertThat(out.result().problemsOmitted()).isEqualTo(2);
    }
}
