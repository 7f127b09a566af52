package dev.signagefleet.benchmarks.micro;

import dev.signagefleet.benchmarks.Figures;
import dev.signagefleet.benchmarks.Scenario;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The JMH micro-benchmarks (CSV parsing, status decoding) with a fixed short configuration, each
 * against its baseline method in the same run. FULL forks one JVM per benchmark (2 × 1 s warm-up,
 * 5 × 1 s measurement); SMOKE runs in this JVM for a fraction of a second.
 */
public final class MicroBenchmarks implements Scenario {

    @Override
    public String id() {
        return "micro";
    }

    @Override
    public Map<String, Object> run(Mode mode) throws Exception {
        boolean full = mode == Mode.FULL;
        Options options = new OptionsBuilder()
                .include(CsvParsingBenchmark.class.getName() + "\\.")
                .include(StatusDecodingBenchmark.class.getName() + "\\.")
                .forks(full ? 1 : 0)
                .warmupIterations(full ? 2 : 1).warmupTime(TimeValue.milliseconds(full ? 1000 : 100))
                .measurementIterations(full ? 5 : 1).measurementTime(TimeValue.milliseconds(full ? 1000 : 100))
                .threads(1)
                .jvmArgs("-Xmx512m")
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, Object> detail = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            String shortName = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            var primary = r.getPrimaryResult();
            scores.put(shortName, primary.getScore());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("score", Figures.round(primary.getScore()));
            m.put("error", Double.isNaN(primary.getScoreError()) ? null : Figures.round(primary.getScoreError()));
            m.put("unit", primary.getScoreUnit());
            List<Double> iterations = r.getBenchmarkResults().stream()
                    .flatMap(b -> b.getIterationResults().stream()).map(i -> i.getPrimaryResult().getScore()).toList();
            m.put("iterations", Figures.summary(iterations));
            detail.put(shortName, m);
        }
        if (scores.size() != 4) {
            throw new IllegalStateException("expected 4 JMH results, got " + scores.keySet()
                    + " (is META-INF/BenchmarkList generated? the JMH annotation processor must run at compile time)");
        }
        double csv = scores.get("CsvParsingBenchmark.parseAndValidate") * CsvParsingBenchmark.ROWS;
        double csvBase = scores.get("CsvParsingBenchmark.baselineDecodeAndCountLines") * CsvParsingBenchmark.ROWS;
        double status = scores.get("StatusDecodingBenchmark.decode");
        double statusBase = scores.get("StatusDecodingBenchmark.baselineJacksonTree");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("jmh", detail);
        Map<String, Object> compared = new LinkedHashMap<>();
        compared.put("csvParsing", Figures.compared("rows/s, one thread", csv, csvBase,
                "(no target; the ingest stage is judged in csv-pipeline)", null));
        compared.put("statusDecoding", Figures.compared("payloads/s, one thread", status, statusBase,
                "(no target; ingest is judged in telemetry-ingest)", null));
        result.put("compared", compared);
        return result;
    }
}
