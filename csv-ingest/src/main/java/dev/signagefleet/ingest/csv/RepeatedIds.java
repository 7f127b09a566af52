package dev.signagefleet.ingest.csv;

/**
 * How a read finds a slide id used on an earlier line of the file: in memory by default; a caller
 * may answer from elsewhere (csv-ingest asks the database, so its memory stays flat in file size).
 * A read asks once per row whose slide id is valid, in file order, so lines only increase.
 */
public interface RepeatedIds {

    /** Notes that {@code id} is on {@code line}; returns the line it was first used on, or 0 when this is its first use. */
    int firstLine(String id, int line);

    /** A warning for the uploader when the check could not cover the whole file, else {@code null}. */
    default String warning() {
        return null;
    }
}
