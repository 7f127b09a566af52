package dev.signagefleet.ingest.csv;

/**
 * Receives each valid row of a slides CSV, in file order, while the file is still being read.
 * The reader keeps validating after a problem, so a sink that stores rows in a transaction may
 * stop storing once {@link ReadResult#ok()} can no longer be true and roll back at the end.
 */
@FunctionalInterface
public interface SlideSink {

    /** Takes one valid slide; a failure stops the reading with a {@link SlideSinkException}. */
    void accept(Slide slide) throws Exception;

    /** A sink that drops every slide: for a dry run that only validates. */
    static SlideSink ignoring() {
        return slide -> { };
    }
}
