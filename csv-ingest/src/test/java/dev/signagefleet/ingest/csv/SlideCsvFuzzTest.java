package dev.signagefleet.ingest.csv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.testing.Fuzz;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bounded fuzzing of the slides CSV reader (a fixed number of cases per CI run, see {@link Fuzz}).
 * Whatever the bytes, the reader answers with rows or with problems that each name a line and say
 * what is wrong, never with an exception; the same bytes always give the same answer; and any
 * slides the exporter writes read back as the same slides.
 */
class SlideCsvFuzzTest {

    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    private final Map<String, Integer> answers = new HashMap<>();

    private void checkAnswer(byte[] bytes) {
        CsvFixture.Outcome first = CsvFixture.bytes(bytes, null);
        ReadResult result = first.result();
        answers.merge(result.ok() ? "ok" : "problems", 1, Integer::sum);
        if (result.ok()) {
            // every row read went to the sink (all or nothing is the caller's part: it stores only when ok)
            assertThat(first.slides()).hasSize((int) result.rows());
        } else {
            assertThat(result.problems()).isNotEmpty().allSatisfy(p -> {
                assertThat(p.line()).isNotNegative();
                assertThat(p.code()).isNotBlank();
                assertThat(p.message()).isNotBlank();
            });
        }
        CsvFixture.Outcome again = CsvFixture.bytes(bytes, null);
        assertThat(again.result()).isEqualTo(result);
        assertThat(again.slides()).isEqualTo(first.slides());
    }

    @Test
    void anyBytesGiveRowsOrProblemsNeverAnException() {
        Fuzz.run("any bytes", 1_000, r -> Fuzz.bytes(r, 4_096), Fuzz::describe, this::checkAnswer);
    }

    private static final List<String> PIECES = List.of("\"", "\"\"", ",", "\n", "\r\n", "\r", "\uFEFF", "=", "+", "-", "@",
            "\t", " ", "\u0000", "ようこそ", "①", "㈱", "髙", "ｱｲｳ", "～", "12", "3600", "0", "-1", "2026-12-01 09:00",
            "2026/12/1 9:00", "https://example.com/a.png", "javascript:alert(1)", "tokyo-east", "welcome");
    private static final List<String> HEADERS = List.of("slide_id,title,duration_sec\n", "TITLE,Slide_ID,Duration_Sec\r\n",
            CsvFixture.HEADER, "", "slide_id,slide_id,title\n");

    /**
     * Text made of what breaks CSV readers (quotes, separators, line ends, a BOM, Japanese,
     * formulas) between rows that are valid, so that both answers occur.
     */
    private static String csvLikeText(Random random) {
        StringBuilder text = new StringBuilder(Fuzz.pick(random, HEADERS));
        int rows = random.nextInt(21);
        for (int i = 0; i < rows; i++) {
            if (random.nextInt(3) < 2) {
                String title = Fuzz.string(random, "abc ようこそ①㈱髙ｱｲｳ～,\"\n", 0, 30).replace("\"", "\"\"");
                text.append("s").append(i).append(",\"T").append(title).append("\",10");
            } else {
                int pieces = random.nextInt(13);
                for (int p = 0; p < pieces; p++) {
                    text.append(random.nextInt(4) == 0 ? Fuzz.string(random, "abcXYZ", 0, 8) : Fuzz.pick(random, PIECES));
                }
            }
            text.append('\n');
        }
        return text.toString();
    }

    @Test
    void csvLikeTextInUtf8OrShiftJisGivesRowsOrProblemsNeverAnException() {
        Fuzz.run("CSV-like text", 1_000, r -> csvLikeText(r).getBytes(r.nextBoolean() ? CsvCharsets.WINDOWS_31J : StandardCharsets.UTF_8),
                Fuzz::describe, this::checkAnswer);
        assertThat(answers).containsKeys("ok", "problems");
    }

    /** Slides as the reader accepts them; ids unique within the file. */
    private static List<Slide> slides(Random random) {
        List<Slide> slides = new ArrayList<>();
        int count = 1 + random.nextInt(20);
        for (int i = 0; i < count; i++) {
            String id = Fuzz.string(random, "abcXYZ019_-", 1, 60) + "-" + i;
            String text = Fuzz.string(random, "abc XYZ,\"'.;:!?ようこそ①㈱髙ｱｲｳ～\n", 0, 199);
            // What a spreadsheet would run as a formula starts some of them: the export escapes it, the import unescapes it.
            String lead = Fuzz.pick(random, List.of("", "", "=", "+", "-", "@", "=HYPERLINK(\"x\")", "'=", "''-", "'"));
            String title = (lead + "T" + text.replace("\n", " ")).substring(0, Math.min(200, lead.length() + text.length() + 1));
            String body = random.nextInt(3) == 0 || text.isEmpty() ? null : Fuzz.pick(random, List.of("", "=", "-", "@")) + "B" + text;
            String image = random.nextBoolean() ? null : Fuzz.pick(random, List.of("https://example.com/a.png",
                    "http://cdn.example.jp/画像.png"));
            int duration = 1 + random.nextInt(3600);
            Instant start = random.nextBoolean() ? null
                    : Instant.parse("2026-12-01T00:00:00Z").plus(random.nextInt(365 * 24 * 60), ChronoUnit.MINUTES);
            Instant end = start == null ? null : start.plus(duration, ChronoUnit.SECONDS).plus(1, ChronoUnit.MINUTES);
            String group = random.nextBoolean() ? null : Fuzz.pick(random, List.of("tokyo-east", "osaka", "g_1", "-minus"));
            slides.add(new Slide(id, title, body, image, duration, start, end, group, random.nextInt(101), 0));
        }
        return slides;
    }

    @Test
    void exportedSlidesReadBackAsTheSameSlides() {
        Fuzz.run("export then import", 300, SlideCsvFuzzTest::slides, List::toString, slides -> {
            StringWriter out = new StringWriter();
            try (SlideCsvWriter writer = new SlideCsvWriter(out, TOKYO)) {
                slides.forEach(writer::write);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            CsvFixture.Outcome back = CsvFixture.bytes(out.toString().getBytes(StandardCharsets.UTF_8), null);
            assertThat(back.result().ok()).as("%s", back.result().problems()).isTrue();
            assertThat(back.slides().stream().map(s -> new Slide(s.slideId(), s.title(), s.body(), s.imageUrl(),
                    s.durationSec(), s.startAt(), s.endAt(), s.targetGroup(), s.priority(), 0)).toList()).isEqualTo(slides);
        });
    }
}
