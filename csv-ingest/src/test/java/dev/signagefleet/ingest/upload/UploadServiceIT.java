package dev.signagefleet.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.signagefleet.common.event.SignageEvents;
import dev.signagefleet.ingest.csv.Problem;
import dev.signagefleet.ingest.csv.ReadResult;
import dev.signagefleet.ingest.csv.SlideCsvReader;
import dev.signagefleet.ingest.csv.SlideSink;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import dev.signagefleet.testing.TempDirs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Uploads against a real PostgreSQL: the first read leaves repeated slide ids to the key of
 * {@code slides}; a file it cannot accept is read again and answered exactly as the reader's exact
 * check answers it, with nothing of the first read left behind.
 */
class UploadServiceIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static final String HEADER = "slide_id,title,body,image_url,duration_sec,start_at,end_at,target_group,priority\n";
    private static final SlideCsvReader EXACT = new SlideCsvReader();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T03:00:00Z"));
    private final UploadService uploads = new UploadService(db.jdbi(), clock, SlideCsvReader.DEFAULT_FLEET_ZONE);
    private Path dir;

    @BeforeEach
    void emptyTables() throws IOException {
        db.jdbi().useHandle(h -> h.execute("TRUNCATE uploads, outbox CASCADE"));
        dir = Files.createTempDirectory("upload-service-it-");
    }

    @AfterEach
    void deleteFiles() {
        TempDirs.deleteQuietly(dir);
    }

    /** {@code rows} data rows (lines 2 to rows + 1); {@code id} names the slide of each data line. */
    private static byte[] file(int rows, IntFunction<String> idOfLine) {
        StringBuilder csv = new StringBuilder(HEADER);
        for (int line = 2; line <= rows + 1; line++) {
            csv.append(idOfLine.apply(line)).append(",Slide ").append(line).append(",\"Body, line ").append(line)
                    .append("\",,10,2026-12-01 09:00,,group-").append(line % 3).append(",50\n");
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static ReadResult exactRead(byte[] bytes) throws IOException {
        return EXACT.read(new ByteArrayInputStream(bytes), SlideSink.ignoring());
    }

    private static long count(String sql) {
        return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    private static List<String> statuses() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM uploads ORDER BY created_at").mapTo(String.class).list());
    }

    @Test
    void aDuplicateFarApartIsReportedWithBothLinesAsTheExactCheckReportsIt() throws IOException {
        byte[] bytes = file(90_000, line -> line == 90_000 ? "s-3" : "s-" + line);

        UploadService.Outcome outcome = uploads.upload(write("far-apart.csv", bytes), "far-apart.csv", Optional.empty(),
                false, "tester", null);

        assertThat(outcome).isInstanceOf(UploadService.Outcome.Rejected.class);
        UploadService.Outcome.Rejected rejected = (UploadService.Outcome.Rejected) outcome;
        assertThat(rejected.problems()).extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(tuple(90_000, "slide_id", Problem.DUPLICATE_ID));
        assertThat(rejected.problems().get(0).message())
                .isEqualTo("slide_id \"s-3\" is already used on line 3; every slide_id must be unique in the file");
        assertThat(rejected.problems()).isEqualTo(exactRead(bytes).problems());
        assertThat(rejected.upload().status()).isEqualTo("FAILED");
        assertThat(rejected.upload().rows()).isEqualTo(90_000);
        assertThat(rejected.upload().problemCount()).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM upload_problems")).isEqualTo(1);
    }

    @Test
    void theRolledBackFirstReadLeavesNoSlideNoOutboxRowAndNoHalfUpload() throws IOException {
        byte[] bytes = file(5_000, line -> line == 4_000 ? "s-2" : "s-" + line);

        UploadService.Outcome outcome = uploads.upload(write("dup.csv", bytes), "dup.csv", Optional.empty(), false,
                "tester", null);

        assertThat(outcome).isInstanceOf(UploadService.Outcome.Rejected.class);
        assertThat(count("SELECT count(*) FROM slides")).as("slides").isZero();
        assertThat(count("SELECT count(*) FROM outbox")).as("outbox rows").isZero();
        assertThat(count("SELECT count(*) FROM upload_events")).as("journey events").isZero();
        assertThat(statuses()).as("one upload, the rejected one").containsExactly("FAILED");
        assertThat(((UploadService.Outcome.Rejected) outcome).upload().uploadId())
                .isEqualTo(db.jdbi().withHandle(h -> h.createQuery("SELECT upload_id::text FROM uploads").mapTo(String.class).one()));
    }

    @Test
    void aFileWithoutDuplicatesStoresEveryRowOnce() throws IOException {
        byte[] bytes = file(20_000, line -> "s-" + line);

        UploadService.Outcome outcome = uploads.upload(write("clean.csv", bytes), "clean.csv", Optional.empty(), false,
                "tester", null);

        assertThat(outcome).isInstanceOf(UploadService.Outcome.Accepted.class);
        UploadService.Outcome.Accepted accepted = (UploadService.Outcome.Accepted) outcome;
        assertThat(accepted.existing()).isFalse();
        assertThat(accepted.upload().rows()).isEqualTo(20_000);
        assertThat(accepted.upload().status()).isEqualTo("ACCEPTED");
        assertThat(accepted.upload().warnings()).isEqualTo(exactRead(bytes).warnings());
        assertThat(count("SELECT count(*) FROM slides")).isEqualTo(20_000);
        assertThat(count("SELECT count(DISTINCT slide_id) FROM slides")).isEqualTo(20_000);
        assertThat(count("SELECT count(*) FROM slides WHERE slide_id = 's-' || line")).as("each row on its own line")
                .isEqualTo(20_000);
        assertThat(count("SELECT count(*) FROM outbox WHERE type = '" + SignageEvents.ELEMENTS_REGISTERED + "'")).isEqualTo(1);
        assertThat(accepted.upload().sha256()).isEqualTo(sha256(bytes));
    }

    @Test
    void aStreamThatNeedsASecondReadGetsTheSameAnswerAndLeavesNoCopyBehind() throws IOException {
        // line 3 has a bad number, so the first read stops there; the repeated id is found only by the second read
        byte[] bytes = file(3_000, line -> line == 2_500 ? "s-2" : "s-" + line);
        String text = new String(bytes, StandardCharsets.UTF_8).replace("s-3,Slide 3,\"Body, line 3\",,10,",
                "s-3,Slide 3,\"Body, line 3\",,ten,");
        byte[] withProblems = text.getBytes(StandardCharsets.UTF_8);
        List<Path> copiesBefore = copies();

        UploadService.Outcome outcome;
        try (InputStream in = new ByteArrayInputStream(withProblems)) {
            outcome = uploads.upload(in, "stream.csv", Optional.empty(), false, "tester", null);
        }

        assertThat(outcome).isInstanceOf(UploadService.Outcome.Rejected.class);
        UploadService.Outcome.Rejected rejected = (UploadService.Outcome.Rejected) outcome;
        assertThat(rejected.problems()).extracting(Problem::line, Problem::column, Problem::code)
                .containsExactly(tuple(3, "duration_sec", Problem.BAD_NUMBER), tuple(2_500, "slide_id", Problem.DUPLICATE_ID));
        assertThat(rejected.problems()).isEqualTo(exactRead(withProblems).problems());
        assertThat(rejected.upload().sha256()).as("every byte hashed, also those the first read left").isEqualTo(sha256(withProblems));
        assertThat(rejected.upload().sizeBytes()).isEqualTo(withProblems.length);
        assertThat(count("SELECT count(*) FROM slides")).isZero();
        assertThat(copies()).as("temporary copies of the stream").isEqualTo(copiesBefore);
    }

    @Test
    void aStreamWithARepeatedIdIsReadAgainFromItsCopy() throws IOException {
        byte[] bytes = file(10_000, line -> line == 9_999 ? "s-2" : "s-" + line);
        List<Path> copiesBefore = copies();

        UploadService.Outcome outcome;
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            outcome = uploads.upload(in, "stream-dup.csv", Optional.empty(), false, "tester", null);
        }

        assertThat(outcome).isInstanceOf(UploadService.Outcome.Rejected.class);
        assertThat(((UploadService.Outcome.Rejected) outcome).problems()).isEqualTo(exactRead(bytes).problems())
                .extracting(Problem::line, Problem::code).containsExactly(tuple(9_999, Problem.DUPLICATE_ID));
        assertThat(((UploadService.Outcome.Rejected) outcome).upload().sha256()).isEqualTo(sha256(bytes));
        assertThat(count("SELECT count(*) FROM slides")).isZero();
        assertThat(count("SELECT count(*) FROM outbox")).isZero();
        assertThat(copies()).isEqualTo(copiesBefore);
    }

    @Test
    void aValidStreamIsStoredAndTheSameBytesAgainReturnTheFirstUpload() throws IOException {
        byte[] bytes = file(1_000, line -> "s-" + line);

        UploadService.Outcome first = uploads.upload(new ByteArrayInputStream(bytes), "a.csv", Optional.empty(), false,
                "tester", null);
        UploadService.Outcome again = uploads.upload(write("a.csv", bytes), "a.csv", Optional.empty(), false, "tester", null);

        assertThat(first).isInstanceOf(UploadService.Outcome.Accepted.class);
        assertThat(again).isInstanceOf(UploadService.Outcome.Accepted.class);
        assertThat(((UploadService.Outcome.Accepted) again).existing()).isTrue();
        assertThat(((UploadService.Outcome.Accepted) again).upload().uploadId())
                .isEqualTo(((UploadService.Outcome.Accepted) first).upload().uploadId());
        assertThat(count("SELECT count(*) FROM slides")).isEqualTo(1_000);
        assertThat(count("SELECT count(*) FROM outbox")).isEqualTo(1);
    }

    @Test
    void aDryRunStillReportsRepeatedIds() throws IOException {
        byte[] bytes = file(100, line -> line == 80 ? "s-7" : "s-" + line);

        UploadService.Outcome outcome = uploads.upload(write("dry.csv", bytes), "dry.csv", Optional.empty(), true,
                "tester", null);

        assertThat(outcome).isInstanceOf(UploadService.Outcome.Checked.class);
        assertThat(((UploadService.Outcome.Checked) outcome).result().problems())
                .extracting(Problem::line, Problem::code).containsExactly(tuple(80, Problem.DUPLICATE_ID));
        assertThat(count("SELECT count(*) FROM uploads")).isZero();
    }

    @Test
    void aDryRunOfAValidStreamAnswersAsTheExactReadAndKeepsNothing() throws IOException {
        byte[] bytes = file(5_000, line -> "s-" + line);

        UploadService.Outcome outcome = uploads.upload(new ByteArrayInputStream(bytes), "dry.csv", Optional.empty(), true,
                "tester", null);
        UploadService.Outcome again = uploads.upload(write("dry.csv", bytes), "dry.csv", Optional.empty(), true, "tester", null);

        assertThat(outcome).isInstanceOf(UploadService.Outcome.Checked.class);
        UploadService.Outcome.Checked checked = (UploadService.Outcome.Checked) outcome;
        assertThat(checked.result()).isEqualTo(exactRead(bytes));
        assertThat(checked.sha256()).isEqualTo(sha256(bytes));
        assertThat(again).as("the temporary table of the first dry run is gone").isEqualTo(outcome);
        assertThat(count("SELECT count(*) FROM uploads")).isZero();
        assertThat(count("SELECT count(*) FROM slides")).isZero();
    }

    @Test
    void aDryRunOfAStreamWithARepeatedIdReportsItAndLeavesNoCopyBehind() throws IOException {
        byte[] bytes = file(5_000, line -> line == 4_321 ? "s-17" : "s-" + line);
        List<Path> copiesBefore = copies();

        UploadService.Outcome outcome = uploads.upload(new ByteArrayInputStream(bytes), "dry.csv", Optional.empty(), true,
                "tester", null);

        UploadService.Outcome.Checked checked = (UploadService.Outcome.Checked) outcome;
        assertThat(checked.result()).isEqualTo(exactRead(bytes));
        assertThat(checked.result().problems()).extracting(Problem::line, Problem::message)
                .containsExactly(tuple(4_321, "slide_id \"s-17\" is already used on line 17; every slide_id must be unique in the file"));
        assertThat(checked.sha256()).isEqualTo(sha256(bytes));
        assertThat(copies()).isEqualTo(copiesBefore);
        assertThat(count("SELECT count(*) FROM uploads")).isZero();
    }

    @Test
    void manyRepeatsAmongOtherProblemsAreReportedAsTheInMemoryCheckReportsThem() throws IOException {
        String csv = HEADER
                + "a,T,,,10,,,,\n"                              // 2
                + "b,T,,,ten,,,,\n"                             // 3: bad number, id still noted
                + "a,T,\"two\nlines\",,10,,,,\n"                 // 4-5: a again
                + "b,T,,,10,,,,\n"                              // 6: b again (first on 3)
                + "bad id!,T,,,10,,,,\n"                        // 7
                + "a,T,,,10,,,,,extra\n"                        // 8: a a third time, and too many cells
                + ",T,,,10,,,,\n"                               // 9
                + "c,,,,10,,,,\n"                               // 10
                + "c,T,,,10,,,,\n";                             // 11
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);

        UploadService.Outcome.Rejected rejected = (UploadService.Outcome.Rejected) uploads.upload(
                new ByteArrayInputStream(bytes), "many.csv", Optional.empty(), false, "tester", null);

        ReadResult exact = exactRead(bytes);
        assertThat(rejected.problems()).isEqualTo(exact.problems());
        assertThat(rejected.problems()).filteredOn(p -> p.code().equals(Problem.DUPLICATE_ID))
                .extracting(Problem::line, Problem::message).containsExactly(
                        tuple(4, "slide_id \"a\" is already used on line 2; every slide_id must be unique in the file"),
                        tuple(6, "slide_id \"b\" is already used on line 3; every slide_id must be unique in the file"),
                        tuple(8, "slide_id \"a\" is already used on line 2; every slide_id must be unique in the file"),
                        tuple(11, "slide_id \"c\" is already used on line 10; every slide_id must be unique in the file"));
        assertThat(count("SELECT count(*) FROM slides")).isZero();
    }

    @Test
    void moreRepeatsThanTheReportKeepsAreCountedAsTheInMemoryCheckCountsThem() throws IOException {
        byte[] bytes = file(24_000, line -> line % 2 == 0 ? "even" : "s-" + line);

        UploadService.Outcome.Rejected rejected = (UploadService.Outcome.Rejected) uploads.upload(
                write("repeats.csv", bytes), "repeats.csv", Optional.empty(), false, "tester", null);

        ReadResult exact = exactRead(bytes);
        assertThat(exact.problemsOmitted()).as("the exact read keeps 10,000 of the 11,999 and counts the rest").isEqualTo(1_999);
        assertThat(rejected.problems()).isEqualTo(exact.problems());
        assertThat(rejected.problemsOmitted()).isEqualTo(1_999);
        assertThat(rejected.upload().problemCount()).isEqualTo(11_999);
    }

    private static List<Path> copies() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith(UploadBytes.COPY_PREFIX)).sorted().toList();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
