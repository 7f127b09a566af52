package dev.signagefleet.benchmarks;

import java.util.Map;

/**
 * One benchmark of BENCHMARKS.md: measures the system and, in the same run, its baseline. Listed in
 * {@code META-INF/services/dev.signagefleet.benchmarks.Scenario} so {@link BenchmarkMain} finds it.
 */
public interface Scenario {

    /** How big a run is. */
    enum Mode {
        /** Tiny sizes, for CI: proves the scenario still runs and loses nothing; its figures mean nothing. */
        SMOKE,
        /** The sizes BENCHMARKS.md quotes. */
        FULL
    }

    /** Short id; the result is written to {@code benchmarks/results/{id}.json}. */
    String id();

    /**
     * Runs the scenario and returns its result as a JSON-able tree: the figures with their units, the
     * baseline and the ratio to it, the target and whether it was met, the sizes, and notes. Throws
     * when the run is not valid (for example a message was lost): a benchmark that loses data has no
     * figure.
     */
    Map<String, Object> run(Mode mode) throws Exception;
}
