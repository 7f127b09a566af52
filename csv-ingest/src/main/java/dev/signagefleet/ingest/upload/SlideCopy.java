package dev.signagefleet.ingest.upload;

import dev.signagefleet.ingest.csv.Slide;
import dev.signagefleet.ingest.csv.SlideSink;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Streams valid slides into {@code slides} with PostgreSQL's COPY, inside the caller's transaction:
 * the fastest bulk load, with flat memory whatever the file's size. The table's primary key
 * (upload_id, slide_id) refuses a slide id that comes twice in one upload: the COPY then fails
 * (at the latest when it is finished) with {@link #repeatedSlideId}.
 */
final class SlideCopy implements SlideSink, AutoCloseable {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String PRIMARY_KEY = "slides_pkey";

    private static final String COPY = "COPY slides (upload_id, slide_id, line, title, body, image_url, duration_sec, "
            + "start_at, end_at, target_group, priority) FROM STDIN";

    private final CopyIn copy;
    private final String uploadId;
    private final StringBuilder row = new StringBuilder(512);
    private long rows;

    SlideCopy(Connection connection, UUID uploadId) throws SQLException {
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
        this.uploadId = uploadId.toString();
    }

    @Override
    public void accept(Slide s) throws SQLException {
        row.setLength(0);
        field(uploadId).append('\t');
        field(s.slideId()).append('\t');
        row.append(s.line()).append('\t');
        field(s.title()).append('\t');
        field(s.body()).append('\t');
        field(s.imageUrl()).append('\t');
        row.append(s.durationSec()).append('\t');
        field(s.startAt() == null ? null : s.startAt().toString()).append('\t');
        field(s.endAt() == null ? null : s.endAt().toString()).append('\t');
        field(s.targetGroup()).append('\t');
        row.append(s.priority()).append('\n');
        byte[] bytes = row.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        rows++;
    }

    /** COPY text format: NULL is \N; backslash, tab, newline and carriage return are escaped. */
    private StringBuilder field(String value) {
        if (value == null) {
            return row.append("\\N");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> row.append("\\\\");
                case '\t' -> row.append("\\t");
                case '\n' -> row.append("\\n");
                case '\r' -> row.append("\\r");
                default -> row.append(c);
            }
        }
        return row;
    }

    long rows() {
        return rows;
    }

    /** Finishes the COPY (the rows become part of the transaction). */
    long finish() throws SQLException {
        return copy.endCopy();
    }

    /**
     * The server's words when {@code failure} (or its cause) is the primary key of {@code slides}
     * refusing a slide id that came twice, e.g. {@code Key (upload_id, slide_id)=(…, s-7) already exists.};
     * empty for any other failure.
     */
    static Optional<String> repeatedSlideId(Throwable failure) {
        return uniqueViolation(failure, PRIMARY_KEY);
    }

    /** The server's detail when {@code failure} (or its cause) is {@code constraint} refusing a value that came twice. */
    static Optional<String> uniqueViolation(Throwable failure, String constraint) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException e && UNIQUE_VIOLATION.equals(e.getSQLState())) {
                ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
                if (server == null) {
                    return Optional.of(String.valueOf(e.getMessage()));
                }
                if (server.getConstraint() == null || constraint.equals(server.getConstraint())) {
                    return Optional.of(server.getDetail() == null ? server.getMessage() : server.getDetail());
                }
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Abandons the COPY when reading failed; the transaction is rolled back by the caller. */
    @Override
    public void close() {
        abandon(copy);
    }

    /** Cancels {@code copy} if it still runs; its transaction is rolled back by the caller anyway. */
    static void abandon(CopyIn copy) {
        try {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException e) {
            // the transaction is rolled back anyway
        }
    }
}
