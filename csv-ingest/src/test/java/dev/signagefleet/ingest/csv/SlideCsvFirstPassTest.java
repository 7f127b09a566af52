package dev.signagefleet.ingest.csv;

import static dev.signagefleet.ingest.csv.CsvFixture.HEADER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The first pass of an upload: no slide id remembered, stops at the first problem. */
class SlideCsvFirstPassTest {

    private final SlideCsvReader reader = new SlideCsvReader();

    private record Read(ReadResult result, List<Slide> slides) {
    }

    private Read firstPass(String csv) throws IOException {
        List<Slide> slides = new ArrayList<>();
        ReadResult result = reader.readFirstPass(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), null, slides::add);
        return new Read(result, slides);
    }

    @Test
    void aRepeatedIdIsLeftToTheSink() throws IOException {
        String csv = HEADER + "a,T,,,10,,,,\n" + "b,T,,,10,,,,\n" + "a,T again,,,10,,,,\n";

        Read first = firstPass(csv);

        assertThat(first.result().ok()).isTrue();
        assertThat(first.slides()).extracting(Slide::slideId, Slide::line).containsExactly(tuple("a", 2), tuple("b", 3), tuple("a", 4));
        assertThat(CsvFixture.utf8(csv).result().problems()).as("the exact read")
                .extracting(Problem::line, Problem::code).containsExactly(tuple(4, Problem.DUPLICATE_ID));
    }

    @Test
    void itStopsAtTheFirstProblem() throws IOException {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int i = 2; i <= 1_000; i++) {
            csv.append("s-").append(i).append(",T,,,").append(i == 5 || i == 900 ? "ten" : "10").append(",,,,\n");
        }

        Read first = firstPass(csv.toString());

        assertThat(first.result().ok()).isFalse();
        assertThat(first.result().rows()).as("lines 2 to 5").isEqualTo(4);
        assertThat(first.slides()).hasSize(3);
        assertThat(CsvFixture.utf8(csv.toString()).result().problems()).as("the exact read finds both")
                .extracting(Problem::line).containsExactly(5, 900);
    }

    @Test
    void aValidFileReadsAsTheExactReadReadsIt() throws IOException {
        String csv = HEADER.replace("priority", "priority,notes") + "a,T,\"two\nlines\",,10,2026-12-01 09:00,,g,1,x\n"
                + ",,,,,,,,,\n" + "b,Ｔ,,,10,,,,,y\n";

        Read first = firstPass(csv);
        CsvFixture.Outcome exact = CsvFixture.utf8(csv);

        assertThat(first.result().ok()).isTrue();
        assertThat(first.result()).isEqualTo(exact.result());
        assertThat(first.result().warnings()).as("an unknown column and a blank row").hasSize(2);
        assertThat(first.slides()).isEqualTo(exact.slides());
    }
}
