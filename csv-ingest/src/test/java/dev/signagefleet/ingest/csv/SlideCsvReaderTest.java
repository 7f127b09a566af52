package dev.signagefleet.ingest.csv;

import static dev.signagefleet.ingest.csv.CsvFixture.HEADER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlideCsvReaderTest {

    /** ../shared sits beside the repository; tests run in the module folder. */
    private static final Path SAMPLES = Path.of("../../shared/samples");

    @Test
    void readsTheSharedUtf8Sample() throws IOException {
        CsvFixture.Outcome out = CsvFixture.bytes(Files.readAllBytes(SAMPLES.resolve("slides_utf8.csv")), null);

        assertThat(out.result().ok()).as("%s", out.result()).isTrue();
        assertThat(out.result().charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(out.result().charsetDetected()).isTrue();
        assertThat(out.result().rows()).isEqualTo(3);
        assertThat(out.result().warnings()).isEmpty();
        assertThat(out.slides()).extracting(Slide::slideId).containsExactly("welcome", "sale-dec", "news-01");

        Slide welcome = out.slide("welcome");
        assertThat(welcome.body()).isEqualTo("Welcome to our store!\nOpen daily 10:00-20:00");
        assertThat(welcome.imageUrl()).isEqualTo("https://example.com/img/welcome.png");
        assertThat(welcome.startAt()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(welcome.endAt()).isNull();
        assertThat(welcome.targetGroup()).isNull();
        assertThat(welcome.priority()).isEqualTo(60);
        assertThat(welcome.line()).isEqualTo(2);

        Slide sale = out.slide("sale-dec");
        assertThat(sale.line()).as("the multi-line body of row 2 takes two lines").isEqualTo(4);
        assertThat(sale.endAt()).isEqualTo(Instant.parse("2026-12-07T14:59:00Z"));
        assertThat(sale.targetGroup()).isEqualTo("tokyo-east");

        Slide news = out.slide("news-01");
        assertThat(news.title()).isEqualTo("Quote \"test\" title");
        assertThat(news.priority()).isEqualTo(50);
        assertThat(news.line()).isEqualTo(5);
    }

    @Test
    void readsTheSharedShiftJisSampleWithItsSpecialCharacters() throws IOException {
        CsvFixture.Outcome out = CsvFixture.bytes(Files.readAllBytes(SAMPLES.resolve("slides_sjis.csv")), null);

        assertThat(out.result().ok()).as("%s", out.result()).isTrue();
        assertThat(out.result().charset()).isEqualTo(CsvCharsets.WINDOWS_31J);
        assertThat(out.result().rows()).isEqualTo(2);
        assertThat(out.slide("j-001").title()).isEqualTo("ようこそ ① ㈱サンプル");
        assertThat(out.slide("j-001").body()).as("CRLF inside the cell becomes \\n").isEqualTo("本日のおすすめ\n（数量限定）");
        assertThat(out.slide("j-001").targetGroup()).isEqualTo("tokyo-east");
        assertThat(out.slide("j-002").title()).isEqualTo("ﾎﾟｲﾝﾄ２倍 ～ 週末限定");
        assertThat(out.slide("j-002").body()).isEqualTo("髙橋店長のおすすめ");
        assertThat(out.slide("j-002").targetGroup()).isNull();
        assertThat(out.slide("j-002").line()).isEqualTo(4);
    }

    @Test
    void columnsAreFoundByNameInAnyOrderAndCase() {
        CsvFixture.Outcome out = CsvFixture.utf8("""
                 Duration_Sec ,PRIORITY,Title,SLIDE_ID
                30,7,Hello,s1
                """);

        assertThat(out.result().ok()).as("%s", out.result()).isTrue();
        Slide s = out.slide("s1");
        assertThat(s.title()).isEqualTo("Hello");
        assertThat(s.durationSec()).isEqualTo(30);
        assertThat(s.priority()).isEqualTo(7);
        assertThat(s.body()).isNull();
        assertThat(s.imageUrl()).isNull();
        assertThat(s.startAt()).isNull();
    }

    @Test
    void unknownColumnsAreAWarningAndTheirCellsAreIgnored() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,notes,title,duration_sec,Colour\n"
                + "s1,\"anything, even \"\"quotes\"\"\",T,5,red\n");

        assertThat(out.result().ok()).isTrue();
        assertThat(out.result().warnings()).singleElement().asString().contains("notes", "colour");
        assertThat(out.slide("s1").title()).isEqualTo("T");
    }

    @Test
    void aByteOrderMarkBeforeTheFirstHeaderNameIsIgnored() {
        CsvFixture.Outcome out = CsvFixture.utf8("\uFEFFslide_id,title,duration_sec\ns1,T,5\n");

        assertThat(out.result().ok()).as("%s", out.result()).isTrue();
        assertThat(out.result().warnings()).isEmpty();
    }

    @Test
    void quotedCellsHoldCommasQuotesAndLineBreaks() {
        CsvFixture.Outcome out = CsvFixture.utf8(HEADER
                + "s1,\"He said \"\"hi\"\", then left\",\"line one\n\nline three, with \"\"quotes\"\"\",,5,,,,\n"
                + "s2,\"\"\"\",\"\",,5,,,,\n");

        assertThat(out.result().ok()).as("%s", out.result()).isTrue();
        assertThat(out.slide("s1").title()).isEqualTo("He said \"hi\", then left");
        assertThat(out.slide("s1").body()).isEqualTo("line one\n\nline three, with \"quotes\"");
        assertThat(out.slide("s2").title()).isEqualTo("\"");
        assertThat(out.slide("s2").body()).isNull();
        assertThat(out.slide("s2").line()).isEqualTo(5);
    }

    @Test
    void crlfLfAndCrLineEndsGiveTheSameSlides() {
        String lf = "slide_id,title,body,duration_sec\ns1,T,\"a\nb\",5\ns2,U,,6\n";
        List<Slide> fromLf = CsvFixture.utf8(lf).slides();
        List<Slide> fromCrlf = CsvFixture.utf8(lf.replace("\n", "\r\n")).slides();
        List<Slide> fromCr = CsvFixture.utf8(lf.replace("\n", "\r")).slides();

        assertThat(fromLf).hasSize(2);
        assertThat(fromCrlf).isEqualTo(fromLf);
        assertThat(fromCr).isEqualTo(fromLf);
        assertThat(fromLf.get(1).line()).isEqualTo(4);
    }

    @Test
    void aLastRowWithoutLineBreakIsRead() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec\r\ns1,T,5");

        assertThat(out.result().ok()).isTrue();
        assertThat(out.slides()).extracting(Slide::slideId).containsExactly("s1");
    }

    @Test
    void titlesAndBodiesAreKeptAsWrittenWhileIdsNumbersAndUrlsAreTrimmed() {
        CsvFixture.Outcome out = CsvFixture.utf8(HEADER
                + " s1\u3000,  spaced title  ,\t body\t, https://example.com/a.png , 10 ,,, group-a , 7 \n");

        assertThat(out.result().ok()).as("%s", out.result()).isTrue();
        Slide s = out.slide("s1");
        assertThat(s.title()).isEqualTo("  spaced title  ");
        assertThat(s.body()).isEqualTo("\t body\t");
        assertThat(s.imageUrl()).isEqualTo("https://example.com/a.png");
        assertThat(s.durationSec()).isEqualTo(10);
        assertThat(s.targetGroup()).isEqualTo("group-a");
        assertThat(s.priority()).isEqualTo(7);
    }

    @Test
    void aFormulaIsStoredExactlyAsWritten() {
        CsvFixture.Outcome out = CsvFixture.utf8(HEADER + "s1,=cmd|' /C calc'!A0,@SUM(1+1),,5,,,,\n");

        assertThat(out.result().ok()).isTrue();
        assertThat(out.slide("s1").title()).isEqualTo("=cmd|' /C calc'!A0");
        assertThat(out.slide("s1").body()).isEqualTo("@SUM(1+1)");
    }

    @Test
    void theApostropheAnExportPutsBeforeAFormulaIsDroppedAndNoOtherApostrophe() {
        CsvFixture.Outcome out = CsvFixture.utf8(HEADER + "s1,'=cmd|' /C calc'!A0,'-50% off,,5,,,,\n"
                + "s2,'quoted',''=twice,,5,,,,\n");

        assertThat(out.result().ok()).isTrue();
        assertThat(out.slide("s1").title()).isEqualTo("=cmd|' /C calc'!A0");
        assertThat(out.slide("s1").body()).isEqualTo("-50% off");
        assertThat(out.slide("s2").title()).isEqualTo("'quoted'");
        assertThat(out.slide("s2").body()).as("one apostrophe dropped: the export doubled it").isEqualTo("'=twice");
    }

    @Test
    void blankRowsAreSkippedWithAWarning() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec\n\ns1,T,5\n,,\n\n");

        assertThat(out.result().ok()).isTrue();
        assertThat(out.result().rows()).isEqualTo(1);
        assertThat(out.slide("s1").line()).isEqualTo(3);
        assertThat(out.result().warnings()).singleElement().asString().contains("3 blank row(s)", "line 2");
    }

    @Test
    void aShortRowHasEmptyCellsAtTheEnd() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec,body,priority\ns1,T,5\n");

        assertThat(out.result().ok()).isTrue();
        assertThat(out.slide("s1").body()).isNull();
        assertThat(out.slide("s1").priority()).isEqualTo(50);
    }

    @Test
    void theSinkGetsValidRowsInFileOrderEvenAfterProblems() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec\na,T,5\nb,T,zero\nc,T,7\n");

        assertThat(out.slides()).extracting(Slide::slideId).containsExactly("a", "c");
        assertThat(out.result().ok()).isFalse();
        assertThat(out.result().rows()).isEqualTo(3);
    }

    @Test
    void aFailingSinkStopsTheReadWithTheLineOfTheRow() {
        InputStream in = new ByteArrayInputStream("slide_id,title,duration_sec\na,T,5\nb,T,6\n".getBytes(StandardCharsets.UTF_8));
        List<String> stored = new ArrayList<>();

        assertThatThrownBy(() -> new SlideCsvReader().read(in, slide -> {
            if (slide.slideId().equals("b")) {
                throw new SQLException("disk full");
            }
            stored.add(slide.slideId());
        }))
                .isInstanceOf(SlideSinkException.class)
                .hasCauseInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SlideSinkException) e).line()).isEqualTo(3));
        assertThat(stored).containsExactly("a");
    }

    @Test
    void aDryRunSinkOnlyValidates() throws IOException {
        InputStream in = new ByteArrayInputStream("slide_id,title,duration_sec\na,T,5\n".getBytes(StandardCharsets.UTF_8));

        ReadResult result = new SlideCsvReader().read(in, SlideSink.ignoring());

        assertThat(result.ok()).isTrue();
        assertThat(result.rows()).isEqualTo(1);
    }
}
