package dev.signagefleet.ingest.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProblemReportTest {

    @Test
    void writesOneRowPerProblemAfterAByteOrderMarkForExcel() {
        StringWriter out = new StringWriter();

        ProblemReport.writeCsv(List.of(
                new Problem(0, null, Problem.EMPTY_FILE, "the file is empty"),
                new Problem(7, "duration_sec", Problem.BAD_NUMBER, "duration_sec must be a whole number from 1 to 3600, was \"ten\"")),
                out);

        assertThat(out.toString()).isEqualTo("\uFEFF\"line\",\"column\",\"code\",\"message\"\r\n"
                + "\"0\",\"\",\"empty_file\",\"the file is empty\"\r\n"
                + "\"7\",\"duration_sec\",\"bad_number\",\"duration_sec must be a whole number from 1 to 3600, was \"\"ten\"\"\"\r\n");
    }

    @Test
    void aFormulaFromTheUploadIsStoredAsWrittenButEscapedInTheReport() {
        String formula = "=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")";
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec,\"" + formula + "\"\n"
                + "s1,=cmd|' /C calc'!A0,5,\"" + "y".repeat(70_000) + "\"\n"
                + "@evil,T,-1+1,\n");
        assertThat(out.result().problems()).extracting(Problem::column).containsExactly(
                "=hyperlink(\"http://evil.example\",\"x\")", "slide_id", "duration_sec");

        StringWriter report = new StringWriter();
        ProblemReport.writeCsv(out.result().problems(), report);

        assertThat(report.toString().lines().skip(1)).allSatisfy(row -> {
            assertThat(row).doesNotContain("\",\"=").doesNotContain("\",\"@").doesNotContain("\",\"+").doesNotContain("\",\"-");
        });
        assertThat(report.toString()).contains("\"2\",\"'=hyperlink(\"\"http://evil.example\"\",\"\"x\"\")\",\"cell_too_large\"");
    }

    @Test
    void theFormulaInASlideStaysExactlyAsWritten() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,body,duration_sec\ns1,=cmd|' /C calc'!A0,+1+1,5\n");

        assertThat(out.slide("s1").title()).isEqualTo("=cmd|' /C calc'!A0");
        assertThat(out.slide("s1").body()).isEqualTo("+1+1");
    }
}
