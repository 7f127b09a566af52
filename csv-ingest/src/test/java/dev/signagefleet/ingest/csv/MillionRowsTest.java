package dev.signagefleet.ingest.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A million rows (about 150 MB) streamed through the reader from a generated stream: all valid, all
 * delivered in order, nothing held. Speed is printed, not asserted: it depends on the machine.
 */
class MillionRowsTest {

    private static final int ROWS = 1_000_000;

    private static String row(long i) {
        return "s-" + i + ",Title " + i + ",\"Body of slide " + i + ", with a comma\nand a second line\","
                + "https://cdn.example.com/img/" + i + ".png," + (1 + i % 3600) + ",2026-12-01 09:00,"
                + "2026/12/31 18:00,group-" + (i % 10) + "," + (i % 101) + "\n";
    }

    @Test
    void aMillionRowsStreamThroughWithoutProblems() throws IOException {
        InputStream in = GeneratedInput.rows(CsvFixture.HEADER, ROWS, MillionRowsTest::row);
        AtomicLong delivered = new AtomicLong();
        Slide[] last = new Slide[1];
        SlideSink sink = slide -> {
            if (slide.line() != 2 * delivered.incrementAndGet()) {
                throw new AssertionError("out of order: " + slide);
            }
            last[0] = slide;
        };

        long start = System.nanoTime();
        ReadResult result = new SlideCsvReader().read(in, sink);
        double seconds = (System.nanoTime() - start) / 1e9;

        System.out.printf("%,d rows in %.2f s: %,.0f rows/s (parse, validate, deliver)%n", ROWS, seconds, ROWS / seconds);
        assertThat(result.problems()).isEmpty();
        assertThat(result.ok()).isTrue();
        assertThat(result.rows()).isEqualTo(ROWS);
        assertThat(delivered.get()).isEqualTo(ROWS);
        assertThat(last[0]).isEqualTo(new Slide("s-" + ROWS, "Title " + ROWS,
                "Body of slide " + ROWS + ", with a comma\nand a second line", "https://cdn.example.com/img/" + ROWS + ".png",
                1 + ROWS % 3600, Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-31T09:00:00Z"),
                "group-" + (ROWS % 10), ROWS % 101, 2 * ROWS));
    }
}
