package dev.signagefleet.ingest.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Bounded fuzzing of the slides CSV reader (jqwik; the number of tries is set in
 * junit-platform.properties). Whatever the bytes, the reader answers with rows or with problems
 * that each name a line and say what is wrong, never with an exception; the same bytes always
 * give the same answer; and any slides the exporter writes read back as the same slides.
 */
class SlideCsvFuzzTest {

    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    private static void checkAnswer(byte[] bytes) {
        CsvFixture.Outcome first = CsvFixture.bytes(bytes, null);
        ReadResult result = first.result();
        Statistics.label("answer").collect(result.ok() ? "ok" : "problems");
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

    @Property
    void anyBytesGiveRowsOrProblemsNeverAnException(@ForAll @Size(max = 4096) byte[] bytes) {
        checkAnswer(bytes);
    }

    /**
     * Text made of what breaks CSV readers (quotes, separators, line ends, a BOM, Japanese,
     * formulas) between rows that are valid, so that both answers occur.
     */
    @Provide
    Arbitrary<String> csvLikeText() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.of("\"", "\"\"", ",", "\n", "\r\n", "\r", "\uFEFF", "=", "+", "-", "@", "\t", " ", "\u0000",
                        "ようこそ", "①", "㈱", "髙", "ｱｲｳ", "～", "12", "3600", "0", "-1", "2026-12-01 09:00", "2026/12/1 9:00",
                        "https://example.com/a.png", "javascript:alert(1)", "tokyo-east", "welcome"),
                Arbitraries.strings().alpha().ofMaxLength(8));
        Arbitrary<String> junk = piece.list().ofMaxSize(12).map(parts -> String.join("", parts));
        Arbitrary<String> title = Arbitraries.strings().withChars("abc ようこそ①㈱髙ｱｲｳ～,\"\n").ofMaxLength(30)
                .map(t -> "\"T" + t.replace("\"", "\"\"") + "\"");
        // a valid row is "{n},{title},{seconds}" under the three-column header; its id is made unique below
        Arbitrary<String> row = Arbitraries.oneOf(title.map(t -> "#," + t + ",10"), title.map(t -> "#," + t + ",10"), junk);
        Arbitrary<String> header = Arbitraries.of("slide_id,title,duration_sec\n", "TITLE,Slide_ID,Duration_Sec\r\n",
                CsvFixture.HEADER, "", "slide_id,slide_id,title\n");
        return Combinators.combine(header, row.list().ofMaxSize(20)).as((h, rows) -> {
            StringBuilder text = new StringBuilder(h);
            for (int i = 0; i < rows.size(); i++) {
                String r = rows.get(i);
                text.append(r.startsWith("#,") ? "s" + i + r.substring(1) : r).append('\n');
            }
            return text.toString();
        });
    }

    @Property
    void csvLikeTextInUtf8OrShiftJisGivesRowsOrProblemsNeverAnException(@ForAll("csvLikeText") String text,
                                                                        @ForAll boolean shiftJis) {
        checkAnswer(text.getBytes(shiftJis ? CsvCharsets.WINDOWS_31J : StandardCharsets.UTF_8));
        Statistics.label("answer").coverage(check -> {
            check.check("ok").count(n -> n > 0);
            check.check("problems").count(n -> n > 0);
        });
    }

    /** Slides as the reader would accept them (cells that a spreadsheet runs as a formula aside: those are escaped on export). */
    @Provide
    Arbitrary<Slide> slides() {
        Arbitrary<String> id = Arbitraries.strings().withChars("abcXYZ019_-").ofMinLength(1).ofMaxLength(64);
        Arbitrary<String> text = Arbitraries.strings().withChars("abc XYZ,\"'.;:!?ようこそ①㈱髙ｱｲｳ～\n")
                .ofMaxLength(200);
        Arbitrary<String> title = text.map(t -> "T" + t.replace("\n", " ")).map(t -> t.substring(0, Math.min(200, t.length())));
        Arbitrary<String> body = text.injectNull(0.3).map(b -> b == null || b.isEmpty() ? null : "B" + b);
        Arbitrary<String> image = Arbitraries.of("https://example.com/a.png", "http://cdn.example.jp/画像.png").injectNull(0.5);
        Arbitrary<Instant> start = Arbitraries.longs().between(0, 365L * 24 * 60)
                .map(m -> Instant.parse("2026-12-01T00:00:00Z").plus(m, ChronoUnit.MINUTES)).injectNull(0.5);
        Arbitrary<String> group = Arbitraries.of("tokyo-east", "osaka", "g_1").injectNull(0.5);
        return Combinators.combine(id, title, body, image, Arbitraries.integers().between(1, 3600), start, group,
                Arbitraries.integers().between(0, 100)).as((i, t, b, u, d, s, g, p) ->
                new Slide(i, t, b, u, d, s, s == null ? null : s.plus(d, ChronoUnit.SECONDS).plus(1, ChronoUnit.MINUTES), g, p, 0));
    }

    @Property(tries = 300)
    void exportedSlidesReadBackAsTheSameSlides(@ForAll @Size(min = 1, max = 20) List<@net.jqwik.api.From("slides") Slide> generated) {
        // ids must be unique within a file
        List<Slide> slides = new ArrayList<>();
        for (int i = 0; i < generated.size(); i++) {
            Slide s = generated.get(i);
            slides.add(new Slide(s.slideId().substring(0, Math.min(60, s.slideId().length())) + "-" + i, s.title(), s.body(), s.imageUrl(), s.durationSec(), s.startAt(),
                    s.endAt(), s.targetGroup(), s.priority(), 0));
        }
        StringWriter out = new StringWriter();
        try (SlideCsvWriter writer = new SlideCsvWriter(out, TOKYO)) {
            slides.forEach(writer::write);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CsvFixture.Outcome back = CsvFixture.bytes(out.toString().getBytes(StandardCharsets.UTF_8), null);
        assertThat(back.result().ok()).as("%s", back.result().problems()).isTrue();
        assertThat(back.slides().stream().map(s -> new Slide(s.slideId(), s.title(), s.body(), s.imageUrl(), s.durationSec(),
                s.startAt(), s.endAt(), s.targetGroup(), s.priority(), 0)).toList()).isEqualTo(slides);
    }
}
