package dev.signagefleet.ingest.csv;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Reads CSV text or bytes through the public reader and keeps what came out. */
final class CsvFixture {

    static final String HEADER = "slide_id,title,body,image_url,duration_sec,start_at,end_at,target_group,priority\n";

    private CsvFixture() {
    }

    /** What one read gave: the result and the slides the sink received, in order. */
    record Outcome(ReadResult result, List<Slide> slides) {

        List<String> codes() {
            return result.problems().stream().map(Problem::code).collect(Collectors.toList());
        }

        Problem only(String code) {
            List<Problem> found = result.problems().stream().filter(p -> p.code().equals(code)).toList();
            if (found.size() != 1) {
                throw new AssertionError("expected one " + code + " problem, got " + result.problems());
            }
            return found.get(0);
        }

        Slide slide(String id) {
            return slides.stream().filter(s -> s.slideId().equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("no slide " + id + " in " + slides + " / " + result));
        }
    }

    static Outcome utf8(String csv) {
        return bytes(csv.getBytes(StandardCharsets.UTF_8), null);
    }

    static Outcome bytes(byte[] bytes, Charset charset) {
        return stream(new ByteArrayInputStream(bytes), charset, new SlideCsvReader());
    }

    static Outcome stream(InputStream in, Charset charset, SlideCsvReader reader) {
        List<Slide> slides = new ArrayList<>();
        try {
            ReadResult result = reader.read(in, charset, slides::add);
            return new Outcome(result, slides);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Outcome utf8(String csv, ZoneId zone) {
        return stream(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), null, new SlideCsvReader(zone));
    }
}
