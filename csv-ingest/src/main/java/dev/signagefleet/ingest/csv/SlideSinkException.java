package dev.signagefleet.ingest.csv;

import dev.signagefleet.common.SignageException;

/** The {@link SlideSink} failed on a row; the file itself may be fine. Carries the row's line. */
public class SlideSinkException extends SignageException {

    private final int line;

    public SlideSinkException(int line, Throwable cause) {
        super("storing the slide of line " + line + " failed: " + cause, cause);
        this.line = line;
    }

    /** Physical line where the row that could not be stored starts. */
    public int line() {
        return line;
    }
}
