package dev.signagefleet.common.db;

import java.sql.SQLException;
import java.util.Optional;

/**
 * Tells errors that retrying cannot fix (the data or the statement is wrong) from those that pass
 * (the database is down, a lock timed out), by the SQLSTATE PostgreSQL reports.
 */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    /** The SQLSTATE of the first SQLException in the chain. */
    public static Optional<String> sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return Optional.of(sql.getSQLState());
            }
        }
        return Optional.empty();
    }

    /**
     * True for data exceptions (class 22), integrity violations (23), syntax or access errors (42)
     * and program limits (54): the same statement with the same data will fail again.
     */
    public static boolean isPermanent(Throwable e) {
        return sqlState(e).map(state -> state.startsWith("22") || state.startsWith("23") || state.startsWith("42")
                || state.startsWith("54")).orElse(false);
    }
}
