package dev.signagefleet.benchmarks.micro;

import dev.signagefleet.ingest.csv.ReadResult;
import dev.signagefleet.ingest.csv.SlideCsvReader;
import dev.signagefleet.ingest.csv.SlideSink;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CSV parsing + validation of 10,000 slide rows in memory ({@link SlideCsvReader}, nothing stored),
 * against its baseline: decoding the same bytes as UTF-8 and counting line breaks, the least any
 * reader must do. Scores are files per second; × 10,000 for rows per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CsvParsingBenchmark {

    public static final int ROWS = 10_000;

    private byte[] file;
    private final SlideCsvReader reader = new SlideCsvReader();

    @Setup
    public void makeFile() {
        StringBuilder b = new StringBuilder("slide_id,title,body,image_url,duration_sec,start_at,end_at,target_group,priority\n");
        for (int i = 0; i < ROWS; i++) {
            b.append("s-").append(i).append(',').append(i % 7 == 0 ? "本日のおすすめ " : "Slide ").append(i).append(',')
                    .append(i % 10 == 0 ? "\"Welcome!\nOpen daily 10:00-20:00\"" : "\"Up to 30% off, this week only\"").append(',')
                    .append(i % 3 == 0 ? "https://example.com/img/" + i % 1000 + ".png" : "").append(',')
                    .append(5 + i % 50).append(',')
                    .append(i % 2 == 0 ? "2026-12-01 09:00,2026-12-07T23:59:00+09:00," : ",,")
                    .append("group-").append(i % 20).append(',').append(i % 101).append('\n');
        }
        file = b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public ReadResult parseAndValidate() throws IOException {
        ReadResult result = reader.read(new ByteArrayInputStream(file), StandardCharsets.UTF_8, SlideSink.ignoring());
        if (!result.ok() || result.rows() != ROWS) {
            throw new IllegalStateException("the benchmark file did not read as " + ROWS + " valid rows: " + result.problems());
        }
        return result;
    }

    @Benchmark
    public long baselineDecodeAndCountLines() throws IOException {
        long lines = 0;
        char[] buffer = new char[8192];
        try (Reader in = new InputStreamReader(new ByteArrayInputStream(file), StandardCharsets.UTF_8)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        return lines;
    }
}
