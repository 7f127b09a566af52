package dev.signagefleet.ingest.upload;

import dev.signagefleet.ingest.csv.Slide;
import dev.signagefleet.ingest.csv.SlideSink;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A dry run's stand-in for {@link SlideCopy}: streams only the slide ids, with COPY, into a temporary
 * table whose key refuses an id that comes twice, so checking a file holds no id in memory either.
 * The table lives in the caller's transaction, which is rolled back.
 */
final class SlideIdCheck implements SlideSink, AutoCloseable {

    private static final String TABLE = "upload_check_slide_ids";
    private static final String KEY = TABLE + "_pkey";

    private final CopyIn copy;

    SlideIdCheck(Handle handle) throws SQLException {
        handle.execute("CREATE TEMPORARY TABLE " + TABLE + " (slide_id text PRIMARY KEY) ON COMMIT DROP");
        Connection connection = handle.getConnection();
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + TABLE + " (slide_id) FROM STDIN");
    }

    @Override
    public void accept(Slide slide) throws SQLException {
        // a valid id is ASCII letters, digits, '-' and '_': nothing to escape in COPY's text format
        byte[] line = (slide.slideId() + "\n").getBytes(StandardCharsets.US_ASCII);
        copy.writeToCopy(line, 0, line.length);
    }

    /** Ends the COPY; fails with {@link #repeatedSlideId} when an id came twice. */
    void finish() throws SQLException {
        copy.endCopy();
    }

    /** The server's words when {@code failure} is this table's key refusing an id that came twice. */
    static Optional<String> repeatedSlideId(Throwable failure) {
        return SlideCopy.uniqueViolation(failure, KEY);
    }

    @Override
    public void close() {
        SlideCopy.abandon(copy);
    }
}
