package dev.signagefleet.ingest.csv;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads an uploaded slides CSV once, as a stream: hands every valid row to a {@link SlideSink} in
 * file order and reports every problem in the file with its line and column. It never throws for
 * bad content, only for I/O errors of the stream (and wraps failures of the sink). The CSV contract
 * is described in the package documentation. Safe to share: each call reads with its own state.
 */
public final class SlideCsvReader {

    /** The zone of times written without offset when the fleet does not say otherwise. */
    public static final ZoneId DEFAULT_FLEET_ZONE = ZoneId.of("Asia/Tokyo");

    private final ZoneId fleetZone;
    private final CsvLimits limits;

    public SlideCsvReader() {
        this(DEFAULT_FLEET_ZONE, CsvLimits.DEFAULTS);
    }

    public SlideCsvReader(ZoneId fleetZone) {
        this(fleetZone, CsvLimits.DEFAULTS);
    }

    public SlideCsvReader(ZoneId fleetZone, CsvLimits limits) {
        this.fleetZone = Objects.requireNonNull(fleetZone, "fleetZone");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** Reads a file whose charset is detected (UTF-8 or Windows-31J). */
    public ReadResult read(InputStream in, SlideSink sink) throws IOException {
        return read(in, null, sink);
    }

    /**
     * Reads a file in the given charset, or detects it when {@code charset} is {@code null}. Any
     * Shift_JIS is read as Windows-31J (see {@link CsvCharsets}). The stream is not closed; it is
     * read to its end unless the file is plainly not CSV (a workbook, UTF-16 text, or binary data in
     * its first bytes or first line), where reading stops early: a caller that hashes every byte
     * drains the rest itself.
     *
     * @throws IOException         when reading the stream fails
     * @throws SlideSinkException when the sink fails on a row
     */
    public ReadResult read(InputStream in, Charset charset, SlideSink sink) throws IOException {
        return readWith(in, charset, sink, new SeenSlideIds());
    }

    /**
     * Like {@link #read(InputStream, Charset, SlideSink)}, with repeated slide ids found by
     * {@code repeatedIds} instead of in memory: the same problems, in the same order, when it
     * answers as the in-memory check would.
     */
    public ReadResult read(InputStream in, Charset charset, SlideSink sink, RepeatedIds repeatedIds) throws IOException {
        return readWith(in, charset, sink, Objects.requireNonNull(repeatedIds, "repeatedIds"));
    }

    /**
     * A first pass for a sink that refuses a repeated slide id itself (the primary key of
     * {@code slides}): like {@link #read(InputStream, Charset, SlideSink)}, but it remembers no slide
     * id, so its memory stays flat whatever the file's size, and it stops at the first problem. Only
     * an {@link ReadResult#ok() ok} result means anything: every row was valid and went to the sink,
     * apart from repeated ids, which the sink has to catch. Otherwise, or when the sink refused a
     * repeated id, read the file again with {@code read}: that read finds every problem, repeated ids
     * with the line each was first used on included.
     *
     * @throws IOException         when reading the stream fails
     * @throws SlideSinkException when the sink fails on a row
     */
    public ReadResult readFirstPass(InputStream in, Charset charset, SlideSink sink) throws IOException {
        return readWith(in, charset, sink, null);
    }

    /** {@code repeatedIds} null: a first pass. */
    private ReadResult readWith(InputStream in, Charset charset, SlideSink sink, RepeatedIds repeatedIds) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(sink, "sink");
        byte[] prefix = new byte[charset == null ? limits.detectionBytes() : NonCsvFiles.SNIFF_BYTES];
        int length = in.readNBytes(prefix, 0, prefix.length);
        boolean detected = charset == null;
        Charset used = detected ? CsvCharsets.detect(prefix, length, length < prefix.length)
                : CsvCharsets.forReading(charset);
        ProblemLog problems = new ProblemLog(limits.maxProblems());
        List<String> warnings = new ArrayList<>();
        long rows = 0;
        if (!NonCsvFiles.report(prefix, length, used, problems)) {
            if (!detected && CsvCharsets.startsWithUtf8Bom(prefix, length) && !used.equals(StandardCharsets.UTF_8)) {
                warnings.add("the file starts with a UTF-8 byte order mark but was read as " + used.name()
                        + " as requested");
            }
            InputStream whole = new SequenceInputStream(new ByteArrayInputStream(prefix, 0, length), in);
            RecordScanner scanner = new RecordScanner(whole, used, limits, problems);
            rows = new SlideFileReading(scanner, fleetZone, limits, problems, warnings, sink, repeatedIds).readAll();
        }
        return new ReadResult(used, detected, rows, warnings, problems.kept(), problems.omitted());
    }
}
