package dev.signagefleet.ingest.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SlideCsvEncodingTest {

    private static final Charset WINDOWS_31J = Charset.forName("Windows-31J");
    private static final String JAPANESE = "slide_id,title,body,duration_sec\r\n"
            + "j1,①㈱髙ｶﾀｶﾅ～,\"本日の\r\nおすすめ\",5\r\n"
            + "j2,週末限定,～お楽しみに～,6\r\n";

    @ParameterizedTest
    @ValueSource(strings = {"①", "㈱", "髙", "ﾊﾝｶｸｶﾀｶﾅ", "～", "ｰ", "№", "Ⅲ", "￢"})
    void shiftJisFromExcelIsDetectedAndEverySpecialCharacterSurvives(String special) throws Exception {
        byte[] bytes = ("slide_id,title,duration_sec\r\ns1,[" + special + "],5\r\n").getBytes("Windows-31J");

        CsvFixture.Outcome out = CsvFixture.bytes(bytes, null);

        assertThat(out.result().ok()).as("%s", out.result()).isTrue();
        assertThat(out.result().charset()).isEqualTo(WINDOWS_31J);
        assertThat(out.result().charsetDetected()).isTrue();
        assertThat(out.slide("s1").title()).isEqualTo("[" + special + "]");
    }

    @Test
    void aWholeShiftJisFileRoundTrips() {
        CsvFixture.Outcome out = CsvFixture.bytes(JAPANESE.getBytes(WINDOWS_31J), null);

        assertThat(out.result().ok()).isTrue();
        assertThat(out.slide("j1").title()).isEqualTo("①㈱髙ｶﾀｶﾅ～");
        assertThat(out.slide("j1").body()).isEqualTo("本日の\nおすすめ");
        assertThat(out.slide("j2").body()).isEqualTo("～お楽しみに～");
        assertThat(out.slide("j2").line()).isEqualTo(4);
    }

    @Test
    void utf8IsDetectedWhenTheBytesAreValidUtf8() {
        CsvFixture.Outcome out = CsvFixture.bytes(JAPANESE.getBytes(StandardCharsets.UTF_8), null);

        assertThat(out.result().ok()).isTrue();
        assertThat(out.result().charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(out.slide("j1").title()).isEqualTo("①㈱髙ｶﾀｶﾅ～");
    }

    @Test
    void aCallerNamingShiftJisGetsWindows31j() {
        CsvFixture.Outcome out = CsvFixture.bytes(JAPANESE.getBytes(WINDOWS_31J), Charset.forName("Shift_JIS"));

        assertThat(out.result().ok()).isTrue();
        assertThat(out.result().charset()).isEqualTo(WINDOWS_31J);
        assertThat(out.result().charsetDetected()).isFalse();
        assertThat(out.slide("j1").title()).isEqualTo("①㈱髙ｶﾀｶﾅ～");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Shift_JIS", "shift-jis", "SJIS", "cp932", "MS932", "windows-31j", " Windows-31J "})
    void everyShiftJisSpellingMeansWindows31j(String name) {
        assertThat(CsvCharsets.forName(name)).isEqualTo(WINDOWS_31J);
    }

    @Test
    void charsetNamesAreCheckedForTheApi() {
        assertThat(CsvCharsets.forName("utf8")).isEqualTo(StandardCharsets.UTF_8);
        assertThat(CsvCharsets.forName("UTF-8")).isEqualTo(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CsvCharsets.forName("klingon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("klingon");
        assertThatThrownBy(() -> CsvCharsets.forName("UTF-16")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be UTF-8 or Shift_JIS");
    }

    @Test
    void anExplicitCharsetOverridesDetection() {
        byte[] latin1 = "slide_id,title,duration_sec\ns1,Café,5\n".getBytes(StandardCharsets.ISO_8859_1);

        CsvFixture.Outcome out = CsvFixture.bytes(latin1, StandardCharsets.ISO_8859_1);

        assertThat(out.result().ok()).isTrue();
        assertThat(out.result().charset()).isEqualTo(StandardCharsets.ISO_8859_1);
        assertThat(out.slide("s1").title()).isEqualTo("Café");
    }

    @Test
    void shiftJisBytesForcedAsUtf8AreBadEncodingOnTheirLinesNotGarbage() {
        CsvFixture.Outcome out = CsvFixture.bytes(JAPANESE.getBytes(WINDOWS_31J), StandardCharsets.UTF_8);

        assertThat(out.result().problems())
                .extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(
                        tuple(2, "title", Problem.BAD_ENCODING),
                        tuple(4, "title", Problem.BAD_ENCODING));
        assertThat(out.result().problems().get(0).message())
                .isEqualTo("line 2 has bytes that are not valid UTF-8 (in title); save the file as UTF-8, or pass "
                        + "charset=Shift_JIS if it is Shift_JIS");
        assertThat(out.slides()).isEmpty();
        assertThat(out.result().rows()).isEqualTo(2);
    }

    @Test
    void invalidBytesAfterTheDetectedPrefixAreReportedOnTheirLine() {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes("slide_id,title,duration_sec\n".getBytes(StandardCharsets.UTF_8));
        int rows = 40_000;
        for (int i = 1; i <= rows; i++) {
            file.writeBytes(("s" + i + ",ようこそ " + i + ",5\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(file.size()).isGreaterThan(CsvLimits.DEFAULT_DETECTION_BYTES);
        file.writeBytes("late,".getBytes(StandardCharsets.UTF_8));
        file.writeBytes("髙橋".getBytes(WINDOWS_31J));
        file.writeBytes(",5\nlast,T,5\n".getBytes(StandardCharsets.UTF_8));

        CsvFixture.Outcome out = CsvFixture.bytes(file.toByteArray(), null);

        assertThat(out.result().charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(out.result().problems())
                .extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(tuple(rows + 2, "title", Problem.BAD_ENCODING));
        assertThat(out.result().rows()).isEqualTo(rows + 2);
        assertThat(out.slides()).hasSize(rows + 1);
    }

    @Test
    void aMultiByteCharacterCutByTheDetectionPrefixStillReadsAsUtf8() {
        CsvLimits smallPrefix = new CsvLimits(65_536, 100, 1 << 20, 10_000, 31);
        byte[] bytes = "slide_id,title,duration_sec\ns1,あいうえお,5\n".getBytes(StandardCharsets.UTF_8);

        CsvFixture.Outcome out = CsvFixture.stream(new ByteArrayInputStream(bytes), null,
                new SlideCsvReader(ZoneId.of("Asia/Tokyo"), smallPrefix));

        assertThat(out.result().charset()).isEqualTo(StandardCharsets.UTF_8);
        assertThat(out.slide("s1").title()).isEqualTo("あいうえお");
    }

    @Test
    void aUtf8FileReadAsShiftJisOnRequestIsWarnedAbout() {
        byte[] bytes = "\uFEFFslide_id,title,duration_sec\ns1,T,5\n".getBytes(StandardCharsets.UTF_8);

        CsvFixture.Outcome out = CsvFixture.bytes(bytes, WINDOWS_31J);

        assertThat(out.result().warnings()).anySatisfy(w -> assertThat(w).contains("byte order mark", "windows-31j"));
    }

    @Test
    void aByteOrderMarkInsideTheFileIsRemovedWithAWarning() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec\ns1,T,5\n\uFEFFs2,T\uFEFF,6\n");

        assertThat(out.result().ok()).isTrue();
        assertThat(out.slide("s2").title()).isEqualTo("T");
        assertThat(out.result().warnings()).singleElement().asString()
                .contains("2 byte order mark(s)", "first on line 3", "joined");
    }

    @Test
    void randomBinaryIsOneProblemNotThousands() {
        byte[] garbage = new byte[200_000];
        new Random(42).nextBytes(garbage);

        CsvFixture.Outcome out = CsvFixture.bytes(garbage, null);

        assertThat(out.codes()).contains(Problem.BINARY_DATA).hasSizeLessThanOrEqualTo(3);
        assertThat(out.only(Problem.BINARY_DATA).line()).isZero();
        assertThat(out.result().rows()).isZero();
        assertThat(out.slides()).isEmpty();
    }

    @Test
    void aNulByteInARowIsBinaryDataOnItsLineAndColumn() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,body,duration_sec\ns1,T,ok,5\ns2,T,bad\0here,5\ns3,T,x,5\n");

        assertThat(out.result().problems())
                .extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(tuple(3, "body", Problem.BINARY_DATA));
        assertThat(out.result().problems().get(0).message()).contains("U+0000");
        assertThat(out.slides()).extracting(Slide::slideId).containsExactly("s1", "s3");
    }

    @Test
    void anExcelWorkbookIsRefusedWithAHint() {
        byte[] xlsx = {'P', 'K', 3, 4, 20, 0, 6, 0, 8, 0, 0, 0, 33, 0};

        CsvFixture.Outcome out = CsvFixture.bytes(xlsx, null);

        assertThat(out.result().problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(Problem.BINARY_DATA);
            assertThat(p.message()).contains("Excel workbook", "CSV UTF-8");
        });
    }

    @Test
    void utf16TextIsRefusedWithAHint() {
        byte[] utf16 = "slide_id\ttitle\n".getBytes(StandardCharsets.UTF_16LE);
        byte[] withBom = new byte[utf16.length + 2];
        withBom[0] = (byte) 0xFF;
        withBom[1] = (byte) 0xFE;
        System.arraycopy(utf16, 0, withBom, 2, utf16.length);

        CsvFixture.Outcome out = CsvFixture.bytes(withBom, null);

        assertThat(out.result().problems()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo(Problem.BAD_ENCODING);
            assertThat(p.message()).contains("UTF-16");
        });
    }
}
