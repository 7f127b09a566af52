package dev.signagefleet.ingest.upload;

import dev.signagefleet.ingest.csv.RepeatedIds;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The exact repeated-id check with flat memory, in two reads of the same bytes inside the caller's
 * transaction: the {@link #recorder() first} streams every (slide id, line) the reader asks about
 * into a temporary table with COPY; the {@link #lookup() second} asks the same questions in the same
 * order and is answered from the lines that repeat an earlier id, sorted by line and fetched a page
 * at a time. The answers are those of the in-memory check: for each such line, the first line of its id.
 */
final class RepeatedIdsInDatabase implements AutoCloseable {

    private static final String TABLE = "upload_slide_id_lines";
    /** Rows per fetch of the repeated lines: bounds the memory of the lookup. */
    private static final int FETCH_ROWS = 1_000;

    private final Handle handle;
    private final CopyIn copy;
    private ResultIterator<int[]> repeats;

    RepeatedIdsInDatabase(Handle handle) throws SQLException {
        this.handle = handle;
        handle.execute("CREATE TEMPORARY TABLE " + TABLE + " (slide_id text NOT NULL, line integer NOT NULL) ON COMMIT DROP");
        this.copy = handle.getConnection().unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY " + TABLE + " (slide_id, line) FROM STDIN");
    }

    /** For the first read: notes each id and its line, finds nothing. */
    RepeatedIds recorder() {
        return (id, line) -> {
            // a valid id is ASCII letters, digits, '-' and '_': nothing to escape in COPY's text format
            byte[] row = (id + "\t" + line + "\n").getBytes(StandardCharsets.US_ASCII);
            try {
                copy.writeToCopy(row, 0, row.length);
            } catch (SQLException e) {
                throw new UnableToExecuteStatementException("noting the slide id of line " + line + " failed: " + e.getMessage(),
                        e, null);
            }
            return 0;
        };
    }

    /** For the second read, after the first: answers from the lines that repeat an id, in line order. */
    RepeatedIds lookup() throws SQLException {
        copy.endCopy();
        repeats = handle.createQuery("""
                        SELECT line, first_line
                        FROM (SELECT line, min(line) OVER (PARTITION BY slide_id) AS first_line FROM upload_slide_id_lines) l
                        WHERE line > first_line
                        ORDER BY line
                        """)
                .setFetchSize(FETCH_ROWS)
                .map((rs, ctx) -> new int[] {rs.getInt(1), rs.getInt(2)})
                .iterator();
        return new RepeatedIds() {
            private int[] next = advance();

            @Override
            public int firstLine(String id, int line) {
                while (next != null && next[0] < line) {
                    next = advance();
                }
                return next != null && next[0] == line ? next[1] : 0;
            }

            private int[] advance() {
                return repeats.hasNext() ? repeats.next() : null;
            }
        };
    }

    @Override
    public void close() {
        if (repeats != null) {
            repeats.close();
        }
        SlideCopy.abandon(copy);
    }
}
