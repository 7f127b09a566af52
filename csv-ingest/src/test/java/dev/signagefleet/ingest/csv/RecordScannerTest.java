package dev.signagefleet.ingest.csv;

import static org.assertj.core.api.Assertions.assertThat;

import com.opencsv.CSVParser;
import com.opencsv.CSVParserBuilder;
import com.opencsv.ICSVParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scanner cuts rows and cells exactly where opencsv would, and its cells are what opencsv reads,
 * for well-formed and odd quoting alike: as opencsv reads a row that does not start at the beginning
 * of a line (opencsv reads an odd quote in the first three characters of a line differently).
 */
class RecordScannerTest {

    private static final String ALPHABET = "ab ,\"\"\n";

    private static CSVParser freshOpencsv() {
        return new CSVParserBuilder().withSeparator(',').withQuoteChar('"')
                .withEscapeChar(ICSVParser.NULL_CHARACTER).withStrictQuotes(false).withIgnoreLeadingWhiteSpace(false)
                .withIgnoreQuotations(false).build();
    }

    @Test
    void wellFormedCellsAreReadAsRfc4180Says() throws IOException {
        RecordScanner scanner = scan("\"\",\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",plain,\"\"\"\"\r\n");

        assertThat(scanner.next()).isTrue();
        assertThat(scanner.cells()).containsExactly("", "a,b", "say \"hi\"", "two\nlines", "plain", "\"");
    }

    private static RecordScanner scan(String text) {
        return new RecordScanner(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8,
                CsvLimits.DEFAULTS, new ProblemLog(10));
    }

    @Test
    void cellsMatchWhatOpencsvMakesOfTheWholeRow() throws IOException {
        Random random = new Random(7);
        int checked = 0;
        while (checked < 20_000) {
            String row = randomRow(random);
            if (row == null) {
                continue;
            }
            RecordScanner scanner = scan(row + "\n");

            assertThat(scanner.next()).isTrue();
            String[] parsed = freshOpencsv().parseLine("padding," + row);
            String[] expected = Arrays.copyOfRange(parsed, 1, parsed.length);
            assertThat(scanner.cellCount()).as("cells of [%s]", row).isEqualTo(expected.length);
            assertThat(scanner.cells()).as("cells of [%s]", row).containsExactly(expected);
            assertThat(scanner.next()).as("one row in [%s]", row).isFalse();
            checked++;
        }
    }

    /** A row of random characters whose line breaks are all inside quotes, or null. */
    private static String randomRow(Random random) {
        StringBuilder row = new StringBuilder();
        int length = random.nextInt(14);
        boolean inQuotes = false;
        for (int i = 0; i < length; i++) {
            char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            if (c == '"') {
                inQuotes = !inQuotes;
            } else if (c == '\n' && !inQuotes) {
                return null;
            }
            row.append(c);
        }
        return inQuotes || row.length() == 0 ? null : row.toString();
    }
}
