package dev.signagefleet.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The shapes every result uses: min/median/max of iterations, and a figure against its baseline and target. */
public final class Figures {

    private Figures() {
    }

    /** {@code {min, median, max, n, values}} of the iterations' values. */
    public static Map<String, Object> summary(Collection<? extends Number> values) {
        List<Double> sorted = new ArrayList<>();
        values.forEach(v -> sorted.add(v.doubleValue()));
        sorted.sort(Double::compare);
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("no values to summarise");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min", round(sorted.get(0)));
        m.put("median", round(median(sorted)));
        m.put("max", round(sorted.get(sorted.size() - 1)));
        m.put("n", sorted.size());
        m.put("values", sorted.stream().map(Figures::round).toList());
        return m;
    }

    public static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Median of unsorted values. */
    public static double medianOf(Collection<? extends Number> values) {
        List<Double> sorted = new ArrayList<>();
        values.forEach(v -> sorted.add(v.doubleValue()));
        sorted.sort(Double::compare);
        return median(sorted);
    }

    /**
     * One line of a BENCHMARKS.md table: the figure, its baseline from the same run, their ratio, the
     * target and whether it was met.
     *
     * @param target     human text of the target, e.g. "≥ 0.5 × baseline"
     * @param met        whether the target was met (null when the target has no baseline-free meaning in SMOKE)
     */
    public static Map<String, Object> compared(String unit, double figure, Double baseline, String target, Boolean met) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", unit);
        m.put("figure", round(figure));
        m.put("baseline", baseline == null ? null : round(baseline));
        m.put("ratio", baseline == null || baseline == 0 ? null : round(figure / baseline));
        m.put("target", target);
        m.put("met", met);
        return m;
    }

    public static double round(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double abs = Math.abs(v);
        double scale = abs >= 100 ? 10 : abs >= 1 ? 1000 : 100_000;
        return Math.round(v * scale) / scale;
    }
}
