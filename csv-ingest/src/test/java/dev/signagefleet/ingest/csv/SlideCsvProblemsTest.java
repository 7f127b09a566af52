package dev.signagefleet.ingest.csv;

import static dev.signagefleet.ingest.csv.CsvFixture.HEADER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlideCsvProblemsTest {

    @Test
    void aFileWithManyBadRowsReportsEveryProblemWithItsLineAndColumn() {
        String longTitle = "t".repeat(201);
        String longBody = "あ".repeat(2001);
        CsvFixture.Outcome out = CsvFixture.utf8(HEADER
                + "ok-1,Fine,,,10,,,,\n"                                                   // 2
                + ",No id,,,10,,,,\n"                                                      // 3
                + "bad id!,T,,,10,,,,\n"                                                   // 4
                + "ok-1,Again,,,10,,,,\n"                                                  // 5
                + "s5,,,,10,,,,\n"                                                         // 6
                + "s6," + longTitle + ",,,10,,,,\n"                                        // 7
                + "s7,T,\"" + longBody + "\",,10,,,,\n"                                    // 8
                + "s8,T,,ftp://example.com/a.png,10,,,,\n"                                 // 9
                + "s9,T,,,ten,,,,\n"                                                       // 10
                + "s10,T,,,0,,,,\n"                                                        // 11
                + "s11,T,,,3601,,,,\n"                                                     // 12
                + "s12,T,,,,,,,\n"                                                         // 13
                + "s13,T,,,10,tomorrow,,,\n"                                               // 14
                + "s14,T,,,10,2026-12-01 10:00,2026-12-01 09:00,,\n"                       // 15
                + "s15,T,,,10,,,tokyo east,\n"                                             // 16
                + "s16,T,,,10,,,,101\n"                                                    // 17
                + "s17,T,,,10,,,,high\n"                                                   // 18
                + "s18,T,\"multi\nline\",,10,,,,,extra\n"                                  // 19-20
                + "s19,T,,,10,2026-13-01 09:00,2026-02-30 09:00,,\n"                       // 21
                + ",,,,abc,x,y,!,-1\n"                                                     // 22
                + "ok-2,Fine too,,,3600,,,,0\n");                                          // 23

        assertThat(out.result().problems())
                .extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(
                        tuple(3, "slide_id", Problem.REQUIRED),
                        tuple(4, "slide_id", Problem.BAD_ID),
                        tuple(5, "slide_id", Problem.DUPLICATE_ID),
                        tuple(6, "title", Problem.REQUIRED),
                        tuple(7, "title", Problem.TOO_LONG),
                        tuple(8, "body", Problem.TOO_LONG),
                        tuple(9, "image_url", Problem.BAD_URL),
                        tuple(10, "duration_sec", Problem.BAD_NUMBER),
                        tuple(11, "duration_sec", Problem.OUT_OF_RANGE),
                        tuple(12, "duration_sec", Problem.OUT_OF_RANGE),
                        tuple(13, "duration_sec", Problem.REQUIRED),
                        tuple(14, "start_at", Problem.BAD_DATE),
                        tuple(15, "end_at", Problem.END_BEFORE_START),
                        tuple(16, "target_group", Problem.BAD_ID),
                        tuple(17, "priority", Problem.OUT_OF_RANGE),
                        tuple(18, "priority", Problem.BAD_NUMBER),
                        tuple(19, null, Problem.WRONG_COLUMN_COUNT),
                        tuple(21, "start_at", Problem.BAD_DATE),
                        tuple(21, "end_at", Problem.BAD_DATE),
                        tuple(22, "slide_id", Problem.REQUIRED),
                        tuple(22, "title", Problem.REQUIRED),
                        tuple(22, "duration_sec", Problem.BAD_NUMBER),
                        tuple(22, "start_at", Problem.BAD_DATE),
                        tuple(22, "end_at", Problem.BAD_DATE),
                        tuple(22, "target_group", Problem.BAD_ID),
                        tuple(22, "priority", Problem.OUT_OF_RANGE));
        assertThat(out.result().rows()).as("lines 19-20 are one row").isEqualTo(21);
        assertThat(out.slides()).extracting(Slide::slideId).containsExactly("ok-1", "ok-2");
    }

    @Test
    void messagesSayTheColumnWhatWasFoundAndWhatIsExpected() {
        CsvFixture.Outcome out = CsvFixture.utf8(HEADER
                + "a,T,,,ten,,,,\n"
                + "a,T,,,10,,,,\n"
                + "c," + "x".repeat(250) + ",,,10,,,,\n"
                + "d,T,,,10,2026-12-01 10:00,2026-12-01 09:00,,\n"
                + "e,T,,,10,\"next\nweek\u0007\",,,\n");

        assertThat(out.result().problems()).extracting(Problem::message).containsExactly(
                "duration_sec must be a whole number from 1 to 3600, was \"ten\"",
                "slide_id \"a\" is already used on line 2; every slide_id must be unique in the file",
                "title has 250 characters; at most 200 are allowed",
                "end_at \"2026-12-01 09:00\" must be after start_at \"2026-12-01 10:00\"",
                "start_at contains the control character U+0007; a CSV file holds text only",
                "start_at must be a date and time such as " + DateTimeCells.EXAMPLES + ", was \"next\\nweek\uFFFD\"");
    }

    @Test
    void longValuesAreShortenedInMessages() {
        CsvFixture.Outcome out = CsvFixture.utf8(HEADER + "a,T,,,10,,,," + "9".repeat(100) + "\n");

        assertThat(out.only(Problem.OUT_OF_RANGE).message())
                .isEqualTo("priority must be a whole number from 0 to 100, was \"" + "9".repeat(40) + "…\"");
    }

    @Test
    void anEmptyFileIsOneProblem() {
        for (String empty : List.of("", "\uFEFF", "\n\n", "\r\n")) {
            CsvFixture.Outcome out = CsvFixture.utf8(empty);

            assertThat(out.result().problems()).as("%s", empty.length())
                    .extracting(Problem::line, Problem::column, Problem::code)
                    .containsExactly(tuple(0, null, Problem.EMPTY_FILE));
            assertThat(out.result().rows()).isZero();
        }
    }

    @Test
    void aHeaderWithoutRowsIsOneProblem() {
        CsvFixture.Outcome out = CsvFixture.utf8(HEADER + ",,,,,,,,\n");

        assertThat(out.result().problems())
                .extracting(Problem::line, Problem::code)
                .containsExactly(tuple(1, Problem.HEADER_ONLY));
    }

    @Test
    void aMissingRequiredColumnIsNamedOnceAndRowsAreOnlyCounted() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,body\na,x\nb,y\nc,z\n");

        assertThat(out.result().problems())
                .extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(
                        tuple(1, "title", Problem.MISSING_COLUMN),
                        tuple(1, "duration_sec", Problem.MISSING_COLUMN));
        assertThat(out.result().problems().get(0).message()).contains("title", "required", "slide_id, body");
        assertThat(out.result().rows()).isEqualTo(3);
        assertThat(out.slides()).isEmpty();
    }

    @Test
    void aColumnNamedTwiceIsAProblemAndTheFirstIsChecked() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec,Title\na,First,5,Second\n");

        Problem duplicate = out.only(Problem.DUPLICATE_COLUMN);
        assertThat(duplicate.line()).isEqualTo(1);
        assertThat(duplicate.column()).isEqualTo("title");
        assertThat(duplicate.message()).contains("columns 2 and 4");
        assertThat(out.slides()).extracting(Slide::title).containsExactly("First");
    }

    @Test
    void aRowWithMoreCellsThanTheHeaderIsAProblem() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec\na,Hello, world,5\n");

        Problem problem = out.only(Problem.WRONG_COLUMN_COUNT);
        assertThat(problem.line()).isEqualTo(2);
        assertThat(problem.message()).isEqualTo("the row has 4 cells but the header has 3 columns; put a cell that "
                + "contains a comma in quotes");
        assertThat(out.slides()).isEmpty();
    }

    @Test
    void aQuoteLeftOpenAtTheEndIsReportedWhereItsCellStarts() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,body,duration_sec\r\n"
                + "a,T,fine,5\r\n"
                + "b,T,\"never closed,5\r\n"
                + "c,T,x,5\r\n"
                + "d,T,y,5\r\n");

        assertThat(out.result().problems())
                .extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(tuple(3, "body", Problem.UNCLOSED_QUOTE));
        assertThat(out.result().problems().get(0).message()).contains("starts on line 3", "never closed");
        assertThat(out.result().rows()).isEqualTo(2);
        assertThat(out.slides()).extracting(Slide::slideId).containsExactly("a");
    }

    @Test
    void aQuoteAfterTextIsReadLenientlyWithAWarning() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec\na,The 5\" screen\",5\n");

        assertThat(out.result().ok()).isTrue();
        assertThat(out.result().warnings()).singleElement().asString().contains("line 2", "title");
    }

    @Test
    void anEndThatEqualsTheStartIsNotAfterIt() {
        CsvFixture.Outcome out = CsvFixture.utf8(HEADER + "a,T,,,5,2026-12-01 09:00,2026-12-01T00:00:00Z,,\n");

        assertThat(out.only(Problem.END_BEFORE_START).line()).isEqualTo(2);
    }

    @Test
    void badUrlsAreRefused() {
        List<String> bad = List.of("example.com/a.png", "javascript:alert(1)", "https://", "https:///a.png",
                "http://exa mple.com/", "https://example.com/a b.png", "https://example.com:99999/",
                "file:///etc/passwd", "https://example.com/\"onload=\"x");
        StringBuilder csv = new StringBuilder("slide_id,title,duration_sec,image_url\n");
        for (int i = 0; i < bad.size(); i++) {
            csv.append("s").append(i).append(",T,5,\"").append(bad.get(i).replace("\"", "\"\"")).append("\"\n");
        }

        CsvFixture.Outcome out = CsvFixture.utf8(csv.toString());

        assertThat(out.codes()).hasSize(bad.size()).containsOnly(Problem.BAD_URL);
    }

    @Test
    void goodUrlsAreAccepted() {
        List<String> good = List.of("https://example.com/a.png", "HTTP://EXAMPLE.COM", "https://cdn.example.com:8443/x/y.png?v=2#top",
                "https://user@example.com/a.png", "http://[::1]:8080/a.png", "https://例え.jp/画像.png",
                "https://example.com/a%20b.png");
        StringBuilder csv = new StringBuilder("slide_id,title,duration_sec,image_url\n");
        for (int i = 0; i < good.size(); i++) {
            csv.append("s").append(i).append(",T,5,").append(good.get(i)).append("\n");
        }

        CsvFixture.Outcome out = CsvFixture.utf8(csv.toString());

        assertThat(out.result().problems()).isEmpty();
        assertThat(out.slides()).extracting(Slide::imageUrl).containsExactlyElementsOf(good);
    }

    @Test
    void aUrlOverTheLimitIsTooLong() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec,image_url\na,T,5,https://example.com/"
                + "a".repeat(2000) + "\n");

        assertThat(out.only(Problem.TOO_LONG).column()).isEqualTo("image_url");
    }

    @Test
    void numbersMayHaveASignOrAZeroFractionButNothingElse() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec\n"
                + "a,T,+10\n"
                + "b,T,10.00\n"
                + "c,T,10.5\n"
                + "d,T,1e3\n"
                + "e,T,１０\n"
                + "f,T,-3\n"
                + "g,T,10.\n");

        assertThat(out.slides()).extracting(Slide::durationSec).containsExactly(10, 10);
        assertThat(out.result().problems()).extracting(Problem::line, Problem::code).containsExactly(
                tuple(4, Problem.BAD_NUMBER), tuple(5, Problem.BAD_NUMBER), tuple(6, Problem.BAD_NUMBER),
                tuple(7, Problem.OUT_OF_RANGE), tuple(8, Problem.BAD_NUMBER));
    }

    @Test
    void lengthsCountCharactersNotUtf16Units() {
        String emoji = "😀".repeat(200);

        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec\na," + emoji + ",5\n");

        assertThat(out.result().ok()).isTrue();
        assertThat(out.slide("a").title()).isEqualTo(emoji);
    }
}
