package dev.signagefleet.common.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpreadsheetSafeCsvTest {

    @Test
    void cellsThatASpreadsheetWouldRunAreDefused() {
        assertThat(SpreadsheetSafeCsv.escape("=HYPERLINK(\"x\")")).isEqualTo("'=HYPERLINK(\"x\")");
        assertThat(SpreadsheetSafeCsv.escape("+1-1")).isEqualTo("'+1-1");
        assertThat(SpreadsheetSafeCsv.escape("-2+3")).isEqualTo("'-2+3");
        assertThat(SpreadsheetSafeCsv.escape("-3.5")).isEqualTo("-3.5");
        assertThat(SpreadsheetSafeCsv.escape("+81")).isEqualTo("+81");
        assertThat(SpreadsheetSafeCsv.escape("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(SpreadsheetSafeCsv.escape("\tx")).isEqualTo("'\tx");
        assertThat(SpreadsheetSafeCsv.escape("\rx")).isEqualTo("'\rx");
        assertThat(SpreadsheetSafeCsv.escape("lobby-01")).isEqualTo("lobby-01");
        assertThat(SpreadsheetSafeCsv.escape(null)).isEmpty();
    }

    @Test
    void rowsAreQuotedWithCrlf() throws Exception {
        StringWriter out = new StringWriter();
        try (SpreadsheetSafeCsv csv = new SpreadsheetSafeCsv(out)) {
            csv.row(List.of("id", "name"));
            csv.row(List.of("a\"b", "=1+1"));
        }
        assertThat(out.toString()).isEqualTo("\"id\",\"name\"\r\n\"a\"\"b\",\"'=1+1\"\r\n");
    }
}
