package dev.signagefleet.benchmarks.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws the telemetry-ingest result's throughput-against-latency curve (p50 and p99 of the product and
 * of the baseline at each offered rate) as an SVG:
 * {@code LatencyChart benchmarks/results/telemetry-ingest.json benchmarks/results/telemetry-ingest-latency.svg}.
 */
public final class LatencyChart {

    private static final int W = 720;
    private static final int H = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 180;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;

    private LatencyChart() {
    }

    private record Series(String name, String color, boolean dashed, List<double[]> points) {
    }

    public static void main(String[] args) throws IOException {
        JsonNode result = Json.mapper().readTree(Path.of(args[0]).toFile());
        List<Series> series = List.of(
                series(result, "product", "p50", "product p50", "#1f77b4", false),
                series(result, "product", "p99", "product p99", "#1f77b4", true),
                series(result, "baseline", "p50", "broker only p50", "#ff7f0e", false),
                series(result, "baseline", "p99", "broker only p99", "#ff7f0e", true));
        Files.writeString(Path.of(args[1]), svg(result, series));
    }

    private static Series series(JsonNode result, String side, String percentile, String name, String color, boolean dashed) {
        List<double[]> points = new ArrayList<>();
        for (JsonNode point : result.get("latencyCurve")) {
            points.add(new double[] {point.get("offeredMsgsPerSec").asDouble(), point.get(side).get(percentile).asDouble()});
        }
        return new Series(name, color, dashed, points);
    }

    private static String svg(JsonNode result, List<Series> series) {
        double maxX = series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[0]).max().orElse(1) * 1.05;
        double maxY = Math.max(300, series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[1]).max().orElse(1) * 1.1);
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", W, H));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">Telemetry ingest: offered rate against latency "
                + "(%s, %s)</text>%n", LEFT, result.path("startedAt").asText().substring(0, 10), result.path("mode").asText()));
        for (int i = 0; i <= 5; i++) {
            double y = TOP + plotH - plotH * i / 5;
            double x = LEFT + plotW * i / 5;
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, LEFT + plotW, y));
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>%n", LEFT - 6, y + 4,
                    maxY * i / 5));
            out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n", x,
                    TOP + (int) plotH + 18, maxX * i / 5));
        }
        double targetY = TOP + plotH - plotH * 250 / maxY;
        out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" "
                + "stroke-dasharray=\"2,3\"/><text x=\"%.1f\" y=\"%.1f\" fill=\"#d62728\">p99 target 250 ms</text>%n",
                LEFT, targetY, LEFT + plotW, targetY, LEFT + plotW + 6, targetY + 4));
        out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">offered statuses per second "
                + "(QoS 1, %d publishers)</text>%n", LEFT + plotW / 2, H - 18, result.path("sizes").path("publishers").asInt()));
        out.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" text-anchor=\"middle\">"
                + "ms, sentAt to committed (product) / received (broker only)</text>%n", TOP + plotH / 2, TOP + plotH / 2));
        int legend = 0;
        for (Series s : series) {
            StringBuilder path = new StringBuilder();
            for (double[] p : s.points()) {
                path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f",
                        LEFT + plotW * p[0] / maxX, TOP + plotH - plotH * p[1] / maxY));
            }
            String dash = s.dashed() ? " stroke-dasharray=\"6,4\"" : "";
            out.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n", path,
                    s.color(), dash));
            for (double[] p : s.points()) {
                out.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                        LEFT + plotW * p[0] / maxX, TOP + plotH - plotH * p[1] / maxY, s.color()));
            }
            double ly = TOP + 10 + 20 * legend++;
            out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"2\"%s/><text x=\"%.1f\" y=\"%.1f\">%s</text>%n", LEFT + plotW + 10, ly, LEFT + plotW + 40, ly,
                    s.color(), dash, LEFT + plotW + 46, ly + 4, s.name()));
        }
        out.append("</svg>\n");
        return out.toString();
    }
}
