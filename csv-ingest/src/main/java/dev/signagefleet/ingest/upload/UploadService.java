package dev.signagefleet.ingest.upload;

import dev.signagefleet.common.Correlation;
import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.SignageEvents;
import dev.signagefleet.common.event.TraceParent;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.common.outbox.Outbox;
import dev.signagefleet.ingest.csv.CsvLimits;
import dev.signagefleet.ingest.csv.Problem;
import dev.signagefleet.ingest.csv.ReadResult;
import dev.signagefleet.ingest.csv.RepeatedIds;
import dev.signagefleet.ingest.csv.SlideCsvReader;
import dev.signagefleet.ingest.csv.SlideSink;
import dev.signagefleet.ingest.csv.SlideSinkException;
import dev.signagefleet.ingest.journey.UploadJourney;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * csv-ingest's front door: reads an uploaded CSV as a stream, validating every row and loading
 * valid rows with COPY inside one transaction. All or nothing: a file with any problem stores no
 * slide (the transaction is rolled back) and is recorded as a rejected upload with every problem; a
 * valid file stores its slides and writes {@code elements.registered} to the outbox in the same
 * transaction. The same bytes again return the upload they made the first time.
 *
 * <p>Memory stays flat in the file's size: the first read leaves repeated slide ids to the primary
 * key of {@code slides} instead of remembering every id. A valid file (the usual case) is read once.
 * A file with a problem, or whose COPY the key refused, is rolled back and checked exactly, still
 * with flat memory, in two more reads: one notes every slide id and its line in a temporary table,
 * the next is told from it which lines repeat an id. That reports every problem, and each repeated
 * id with the line it was first used on, as a single read with every id in memory did.
 */
public final class UploadService {

    private static final Logger log = LoggerFactory.getLogger(UploadService.class);

    public static final String SOURCE = "/signage/csv-ingest";
    /** Advisory lock class for "an upload of these bytes is being accepted". */
    private static final int SHA_LOCK = 1_701_000_003;

    private final Jdbi jdbi;
    private final Clock clock;
    private final SlideCsvReader reader;
    private final UploadQueries queries;
    private volatile Runnable onAccepted = () -> { };

    /** What came of an upload. */
    public sealed interface Outcome {
        /** Stored (or found stored before, for the same bytes). */
        record Accepted(UploadView upload, boolean existing) implements Outcome {
        }

        /** Rejected: nothing stored but the upload record and its problems. */
        record Rejected(UploadView upload, List<Problem> problems, long problemsOmitted, boolean existing) implements Outcome {
        }

        /** Validated only (dry run): nothing stored. */
        record Checked(ReadResult result, String sha256) implements Outcome {
        }
    }

    /** Reading a file failed for a reason that is not the file's content (the network, the disk). */
    public static final class UploadReadException extends dev.signagefleet.common.SignageException {
        UploadReadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Called after an upload was accepted and committed (e.g. to wake the outbox relay at once). */
    public void onAccepted(Runnable callback) {
        this.onAccepted = callback;
    }

    private final ZoneId fleetZone;

    public UploadService(Jdbi jdbi, Clock clock, ZoneId fleetZone) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.fleetZone = fleetZone;
        this.reader = new SlideCsvReader(fleetZone, CsvLimits.DEFAULTS);
        this.queries = new UploadQueries(jdbi);
    }

    /** The zone times without an offset are read in, and exports are written in. */
    public ZoneId fleetZone() {
        return fleetZone;
    }

    /**
     * An upload from a stream. When the file needs the exact check (see the class comment), its reads
     * get a copy of the bytes kept in a temporary file while the first read went; a caller that has
     * the upload in a file already should use {@link #upload(Path, String, Optional, boolean, String, String)}.
     *
     * @param charset     the file's charset when the uploader knows it; empty to detect it
     * @param traceparent the caller's W3C trace context, if any
     */
    public Outcome upload(InputStream content, String filename, Optional<Charset> charset, boolean dryRun,
                          String uploadedBy, String traceparent) {
        try (UploadBytes bytes = UploadBytes.copying(content)) {
            return dryRun ? check(bytes, charset) : store(bytes, filename, charset, uploadedBy, traceparent);
        }
    }

    /** An upload already in a file: read once, or three times when the first read cannot decide; never copied. */
    public Outcome upload(Path file, String filename, Optional<Charset> charset, boolean dryRun,
                          String uploadedBy, String traceparent) {
        try (UploadBytes bytes = UploadBytes.of(file)) {
            return dryRun ? check(bytes, charset) : store(bytes, filename, charset, uploadedBy, traceparent);
        }
    }

    /**
     * A dry run, nothing stored. Like an upload, the first read leaves repeated slide ids to a key (of a
     * temporary table, in a transaction that is rolled back), so it holds no id in memory; a file it
     * cannot pass is checked exactly ({@link #exactRead}).
     */
    private Outcome check(UploadBytes bytes, Optional<Charset> charset) {
        try {
            try (InputStream in = bytes.first()) {
                Optional<Outcome> passed = checkFirstPass(new Counted(in), charset);
                if (passed.isPresent()) {
                    return passed.get();
                }
            }
            Exact exact = exactRead(bytes, charset);
            return new Outcome.Checked(exact.result(), exact.digest());
        } catch (IOException e) {
            throw new UploadReadException("the upload could not be read to the end: " + e.getMessage(), e);
        }
    }

    private Optional<Outcome> checkFirstPass(Counted counted, Optional<Charset> charset) {
        try {
            jdbi.useTransaction(handle -> {
                ReadResult result;
                try (SlideIdCheck ids = new SlideIdCheck(handle)) {
                    result = read(counted, charset, ids, true);
                    if (!result.ok()) {
                        throw new Rollback(new ReadAgain(null));
                    }
                    drain(counted);
                    ids.finish();
                } catch (java.sql.SQLException | SlideSinkException e) {
                    throw sinkFailure(e, SlideIdCheck.repeatedSlideId(e), true, "checking the slide ids");
                }
                // nothing of a dry run is kept
                throw new Rollback(new Outcome.Checked(result, counted.digest()));
            });
        } catch (Rollback rollback) {
            return rollback.outcome instanceof Outcome outcome ? Optional.of(outcome) : Optional.empty();
        }
        throw new IllegalStateException("a dry run's transaction ended without its outcome");
    }

    /**
     * The first read leaves repeated slide ids to the primary key of {@code slides}, so it holds no
     * id in memory; a file with a problem, or whose COPY the key refused, is rolled back and checked
     * exactly ({@link #exactRead}), which reports every problem with its line (and for a repeated id
     * the line of its first use) as a single read always did.
     */
    private Outcome store(UploadBytes bytes, String filename, Optional<Charset> charset, String uploadedBy,
                          String traceparent) {
        UUID uploadId = UUID.randomUUID();
        String correlationId = "upload-" + uploadId;
        String trace = TraceParent.childOf(traceparent);
        // The upload's lines carry its correlation id; the request's id comes back afterwards.
        try (Correlation ignored = Correlation.scope(correlationId)) {
            Optional<Outcome> decided = pass(bytes, true, uploadId, filename, charset, uploadedBy, correlationId, trace);
            if (decided.isPresent()) {
                return decided.get();
            }
            Exact exact = exactRead(bytes, charset);
            if (!exact.result().ok()) {
                return rejected(uploadId, exact.digest(), filename, exact.size(), exact.result(), correlationId, trace,
                        uploadedBy, clock.instant());
            }
            // The key refused an id that the exact check does not find repeated: let the single exact read decide.
            log.warn("Upload {} of {}: the first read could not store it, yet the exact check finds no problem; "
                    + "reading it once more with every slide id in memory", uploadId, filename);
            return pass(bytes, false, uploadId, filename, charset, uploadedBy, correlationId, trace).orElseThrow();
        }
    }

    private Optional<Outcome> pass(UploadBytes bytes, boolean firstPass, UUID uploadId, String filename,
                                   Optional<Charset> charset, String uploadedBy, String correlationId, String trace) {
        try (InputStream in = firstPass ? bytes.first() : bytes.again()) {
            return attempt(in, firstPass, uploadId, filename, charset, uploadedBy, correlationId, trace);
        } catch (IOException e) {
            throw new UploadReadException("the upload could not be read to the end: " + e.getMessage(), e);
        }
    }

    /**
     * One read of the file in one transaction. In the first pass, empty when the file must be read
     * again (a problem, or a slide id the database refused as repeated), with nothing kept.
     */
    private Optional<Outcome> attempt(InputStream content, boolean firstPass, UUID uploadId, String filename,
                                      Optional<Charset> charset, String uploadedBy, String correlationId, String trace) {
        Counted counted = new Counted(content);
        try {
            Outcome accepted = jdbi.inTransaction(handle -> {
                Instant now = clock.instant();
                insertUpload(handle, uploadId, filename, correlationId, trace, uploadedBy, now);
                ReadResult result;
                long stored;
                try (SlideCopy copy = new SlideCopy(handle.getConnection(), uploadId)) {
                    result = read(counted, charset, copy, firstPass);
                    if (firstPass && !result.ok()) {
                        throw new Rollback(new ReadAgain(null));
                    }
                    drain(counted);
                    stored = result.ok() ? copy.finish() : 0;
                } catch (java.sql.SQLException | SlideSinkException e) {
                    throw sinkFailure(e, SlideCopy.repeatedSlideId(e), firstPass, "storing the slides");
                }
                String digest = counted.digest();
                if (!result.ok()) {
                    // The COPY was cancelled, which ended the transaction: the rejection is recorded in a new one.
                    throw new Rollback(new Pending(digest, counted.size(), result, now));
                }
                // Two uploads of the same bytes at once: the second waits here for the first to commit, then finds it.
                handle.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", SHA_LOCK, digest);
                Optional<UploadView> existing = queries.bySha256(handle, digest);
                if (existing.isPresent()) {
                    log.info("Upload of {} ({} bytes) has the same bytes as upload {}: returning that one", filename,
                            counted.size(), existing.get().uploadId());
                    throw new Rollback(new Outcome.Accepted(existing.get(), true));
                }
                accept(handle, uploadId, digest, counted.size(), result, stored, correlationId, trace, now);
                log.info("Upload {} accepted: {} slide(s) from {} ({}, {} bytes)", uploadId, stored, filename,
                        result.charset().name(), counted.size());
                return (Outcome) new Outcome.Accepted(queries.byId(handle, uploadId).orElseThrow(), false);
            });
            onAccepted.run();
            return Optional.of(accepted);
        } catch (Rollback rollback) {
            if (rollback.outcome instanceof ReadAgain again) {
                if (again.repeatedId() != null) {
                    log.info("Upload {} of {}: the database refused a repeated slide_id ({}); nothing kept, reading the "
                            + "file again to report every repeated id with its lines", uploadId, filename, again.repeatedId());
                } else {
                    log.debug("Upload {} of {} has a problem; reading it again to report every problem", uploadId, filename);
                }
                return Optional.empty();
            }
            if (rollback.outcome instanceof Pending p) {
                return Optional.of(rejected(uploadId, p.digest(), filename, p.size(), p.result(), correlationId, trace,
                        uploadedBy, p.now()));
            }
            return Optional.of((Outcome) rollback.outcome);
        }
    }

    /**
     * What a sink's failure during a read ends in: a first read whose key refused a repeated slide id
     * ({@code repeated}) is read again; anything else fails as itself, or as the statement that failed.
     */
    private static RuntimeException sinkFailure(Exception e, Optional<String> repeated, boolean firstPass, String doing) {
        if (firstPass && repeated.isPresent()) {
            return new Rollback(new ReadAgain(repeated.get()));
        }
        if (e instanceof SlideSinkException sinkFailure) {
            return sinkFailure;
        }
        return new org.jdbi.v3.core.statement.UnableToExecuteStatementException(doing + " failed: " + e.getMessage(), e, null);
    }

    /** What the exact check of the whole file found, with the file's SHA-256 and size. */
    private record Exact(ReadResult result, String digest, long size) {
    }

    /**
     * The exact check with flat memory: one read notes every slide id and its line in a temporary
     * table, a second one is told from it which lines repeat an id and where that id was first used.
     * Reports what a single read with every id in memory reports.
     */
    private Exact exactRead(UploadBytes bytes, Optional<Charset> charset) {
        return jdbi.inTransaction(handle -> {
            try (RepeatedIdsInDatabase ids = new RepeatedIdsInDatabase(handle)) {
                try (InputStream in = bytes.again()) {
                    read(in, charset, SlideSink.ignoring(), false, ids.recorder());
                }
                RepeatedIds lookup = ids.lookup();
                try (InputStream in = bytes.again()) {
                    Counted counted = new Counted(in);
                    ReadResult result = read(counted, charset, SlideSink.ignoring(), false, lookup);
                    drain(counted);
                    return new Exact(result, counted.digest(), counted.size());
                }
            } catch (IOException e) {
                throw new UploadReadException("the upload could not be read to the end: " + e.getMessage(), e);
            } catch (java.sql.SQLException e) {
                throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException("finding repeated slide ids failed: "
                        + e.getMessage(), e, null);
            }
        });
    }

    /** Leaves the transaction without keeping anything; carries what to answer. */
    private static final class Rollback extends RuntimeException {
        private final Object outcome;

        Rollback(Object outcome) {
            super(null, null, false, false);
            this.outcome = outcome;
        }
    }

    /** A rejected file, to be recorded in its own transaction after the slides were rolled back. */
    private record Pending(String digest, long size, ReadResult result, Instant now) {
    }

    /** The first pass could not decide: the file has a problem, or the key refused {@code repeatedId} (null: a problem). */
    private record ReadAgain(String repeatedId) {
    }

    /** The bytes read so far: their SHA-256 and their number. */
    private static final class Counted extends java.io.FilterInputStream {
        private final MessageDigest sha;
        private long size;

        Counted(InputStream content) {
            this(content, sha256());
        }

        private Counted(InputStream content, MessageDigest sha) {
            super(new DigestInputStream(content, sha));
            this.sha = sha;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                size++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            int n = super.read(buffer, off, len);
            if (n > 0) {
                size += n;
            }
            return n;
        }

        long size() {
            return size;
        }

        String digest() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }

    private ReadResult read(InputStream in, Optional<Charset> charset, SlideSink sink, boolean firstPass) {
        return read(in, charset, sink, firstPass, null);
    }

    /** {@code repeatedIds}: where repeated ids are found; null for the first pass, or to find them in memory. */
    private ReadResult read(InputStream in, Optional<Charset> charset, SlideSink sink, boolean firstPass,
                            RepeatedIds repeatedIds) {
        try {
            // The reader closes what it reads; the rest of the file must still be hashed afterwards.
            InputStream unclosable = new java.io.FilterInputStream(in) {
                @Override
                public void close() {
                }
            };
            if (firstPass) {
                return reader.readFirstPass(unclosable, charset.orElse(null), sink);
            }
            return repeatedIds == null ? reader.read(unclosable, charset.orElse(null), sink)
                    : reader.read(unclosable, charset.orElse(null), sink, repeatedIds);
        } catch (IOException e) {
            throw new UploadReadException("the upload could not be read to the end: " + e.getMessage(), e);
        }
    }

    private static void drain(InputStream in) {
        try {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UploadReadException("the upload could not be read to the end: " + e.getMessage(), e);
        }
    }

    private static void insertUpload(Handle handle, UUID uploadId, String filename, String correlationId, String trace,
                                     String uploadedBy, Instant now) {
        // The real digest is known only once the whole file was read; the id stands in until then.
        handle.createUpdate("""
                        INSERT INTO uploads (upload_id, sha256, filename, size_bytes, status, correlation_id, traceparent,
                            uploaded_by, created_at, updated_at)
                        VALUES (:id, :id_text, :f, 0, 'ACCEPTED', :c, :t, :by, :now, :now)
                        """)
                .bind("id", uploadId).bind("id_text", "pending:" + uploadId).bind("f", filename).bind("c", correlationId)
                .bind("t", trace).bind("by", uploadedBy).bind("now", Timestamp.from(now)).execute();
    }

    private void accept(Handle handle, UUID uploadId, String digest, long size, ReadResult result, long stored,
                        String correlationId, String trace, Instant now) {
        List<String> targets = handle.createQuery("SELECT DISTINCT target_group FROM slides WHERE upload_id = :u AND target_group IS NOT NULL ORDER BY 1")
                .bind("u", uploadId).mapTo(String.class).list();
        boolean everyGroup = handle.createQuery("SELECT EXISTS (SELECT 1 FROM slides WHERE upload_id = :u AND target_group IS NULL)")
                .bind("u", uploadId).mapTo(Boolean.class).one();
        handle.createUpdate("""
                        UPDATE uploads SET sha256 = :sha, size_bytes = :size, charset = :cs, row_count = :rows,
                            warnings = CAST(:warnings AS jsonb), updated_at = :now
                        WHERE upload_id = :id
                        """)
                .bind("sha", digest).bind("size", size).bind("cs", result.charset().name()).bind("rows", stored)
                .bind("warnings", json(result.warnings())).bind("now", Timestamp.from(now))
                .bind("id", uploadId).execute();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("uploadId", uploadId.toString());
        data.put("rows", stored);
        data.put("groups", targets);
        data.put("allGroups", everyGroup);
        Event event = Event.create(SOURCE, SignageEvents.ELEMENTS_REGISTERED, uploadId.toString(), now, correlationId, trace, data);
        Outbox.append(handle, event);
        UploadJourney.record(handle, uploadId, event, now);
    }

    private Outcome rejected(UUID uploadId, String digest, String filename, long size, ReadResult result, String correlationId,
                             String trace, String uploadedBy, Instant now) {
        // Not deduplicated: the same bytes may be valid with another charset, so each try is checked and kept.
        return jdbi.inTransaction(handle -> {
            String reason = "the file has " + result.problemCount() + " problem(s); nothing was stored. "
                    + "Fix them (see the error report) and upload again.";
            handle.createUpdate("""
                            INSERT INTO uploads (upload_id, sha256, filename, size_bytes, charset, row_count, status, reason,
                                warnings, problem_count, correlation_id, traceparent, uploaded_by, created_at, updated_at)
                            VALUES (:id, :sha, :f, :size, :cs, :rows, 'FAILED', :reason, CAST(:warnings AS jsonb), :pc, :c, :t, :by, :now, :now)
                            """)
                    .bind("id", uploadId).bind("sha", digest).bind("f", filename).bind("size", size)
                    .bind("cs", result.charset() == null ? null : result.charset().name()).bind("rows", result.rows())
                    .bind("reason", reason).bind("warnings", json(result.warnings()))
                    .bind("pc", result.problemCount()).bind("c", correlationId).bind("t", trace).bind("by", uploadedBy)
                    .bind("now", Timestamp.from(now)).execute();
            var batch = handle.prepareBatch("""
                    INSERT INTO upload_problems (upload_id, seq, line, column_name, code, message)
                    VALUES (:u, :seq, :line, :col, :code, :msg)
                    """);
            int seq = 0;
            for (Problem p : result.problems()) {
                batch.bind("u", uploadId).bind("seq", seq++).bind("line", p.line()).bind("col", p.column())
                        .bind("code", p.code()).bind("msg", p.message()).add();
            }
            if (seq > 0) {
                batch.execute();
            }
            log.info("Upload {} of {} rejected with {} problem(s)", uploadId, filename, result.problemCount());
            return new Outcome.Rejected(queries.byId(handle, uploadId).orElseThrow(), result.problems(),
                    result.problemsOmitted(), false);
        });
    }

    private static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
