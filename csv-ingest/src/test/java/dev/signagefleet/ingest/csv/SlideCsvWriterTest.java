package dev.signagefleet.ingest.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlideCsvWriterTest {

    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    @Test
    void exportedSlidesReadBackAsTheSameSlides() throws IOException {
        List<Slide> slides = List.of(
                new Slide("welcome", "ようこそ ① ㈱", "Two\nlines, \"quoted\"", "https://example.com/a.png", 10,
                        Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-07T14:59:00Z"), "tokyo-east", 60, 2),
                new Slide("plain", "Plain", null, null, 3600, null, null, null, 0, 3));
        StringWriter out = new StringWriter();
        try (SlideCsvWriter writer = new SlideCsvWriter(out, TOKYO)) {
            slides.forEach(writer::write);
        }

        CsvFixture.Outcome back = CsvFixture.bytes(out.toString().getBytes(StandardCharsets.UTF_8), null);

        assertThat(out.toString()).startsWith("\uFEFF\"slide_id\",\"title\"").contains("2026-12-01T09:00:00+09:00");
        assertThat(back.result().ok()).as("%s", back.result()).isTrue();
        assertThat(back.slides()).isEqualTo(List.of(slides.get(0), new Slide("plain", "Plain", null, null, 3600, null,
                null, null, 0, 4)));
    }

    @Test
    void anIdStartingWithAMinusIsEscapedOnExportAndReadsBackUnchanged() throws IOException {
        Slide slide = new Slide("-minus", "Title", null, null, 5, null, null, "-group", 50, 2);
        StringWriter out = new StringWriter();
        try (SlideCsvWriter writer = new SlideCsvWriter(out, TOKYO)) {
            writer.write(slide);
        }
        assertThat(out.toString()).contains("\"'-minus\"").contains("\"'-group\"");

        CsvFixture.Outcome back = CsvFixture.bytes(out.toString().getBytes(StandardCharsets.UTF_8), null);

        assertThat(back.result().ok()).as("%s", back.result()).isTrue();
        assertThat(back.slides()).containsExactly(slide);
    }

    @Test
    void cellsASpreadsheetWouldRunAreEscaped() {
        StringWriter out = new StringWriter();
        SlideCsvWriter writer = new SlideCsvWriter(out, TOKYO);
        writer.write(new Slide("s1", "=cmd|' /C calc'!A0", "@SUM(A1)", null, 5, null, null, null, 50, 2));
        writer.flush();

        assertThat(out.toString().lines().skip(1)).containsExactly(
                "\"s1\",\"'=cmd|' /C calc'!A0\",\"'@SUM(A1)\",\"\",\"5\",\"\",\"\",\"\",\"50\"");
    }

    @Test
    void theHeaderIsTheUploadFormat() throws IOException {
        StringWriter out = new StringWriter();
        new SlideCsvWriter(out, TOKYO).flush();

        ReadResult result = new SlideCsvReader().read(new ByteArrayInputStream(out.toString().getBytes(StandardCharsets.UTF_8)),
                SlideSink.ignoring());

        assertThat(result.problems()).extracting(Problem::code).containsExactly(Problem.HEADER_ONLY);
        assertThat(result.warnings()).isEmpty();
    }
}
