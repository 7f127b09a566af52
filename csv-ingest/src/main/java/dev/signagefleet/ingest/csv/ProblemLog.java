package dev.signagefleet.ingest.csv;

import java.util.ArrayList;
import java.util.List;

/** The problems of one file, in the order found: the first ones kept, the rest only counted. */
final class ProblemLog {

    private final int keep;
    private final List<Problem> kept = new ArrayList<>();
    private long omitted;

    ProblemLog(int keep) {
        this.keep = keep;
    }

    void add(int line, String column, String code, String message) {
        if (kept.size() < keep) {
            kept.add(new Problem(line, column, code, message));
        } else {
            omitted++;
        }
    }

    /** True once any problem was found. */
    boolean any() {
        return !kept.isEmpty() || omitted > 0;
    }

    List<Problem> kept() {
        return kept;
    }

    long omitted() {
        return omitted;
    }
}
