package dev.signagefleet.management.console;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart of one measurement over a time range, drawn on the server as inline SVG, so the
 * console needs no chart library and no script. The range is the x axis (a gap in the data stays
 * visible as a gap); the y axis spans the values shown, labelled with their minimum and maximum.
 */
public final class SvgChart {

    /** More points than a chart is pixels wide only cost bytes; see {@link #downsample}. */
    static final int MAX_POINTS = 300;
    /** A pause longer than this many typical intervals between statuses breaks the line (the device was silent). */
    private static final int GAP_INTERVALS = 5;

    private static final int WIDTH = 600;
    private static final int HEIGHT = 170;
    private static final double LEFT = 56;
    private static final double RIGHT = 592;
    private static final double TOP = 10;
    private static final double BOTTOM = 140;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm");
    private static final DateTimeFormatter DAY_AND_CLOCK = DateTimeFormatter.ofPattern("MM-dd HH:mm");

    /** One measurement at one time. */
    public record Point(Instant time, double value) {
    }

    private SvgChart() {
    }

    /**
     * @param points oldest first, within [from, to]
     * @param label  what the chart shows, for screen readers
     * @param noData the text shown when there are fewer than two points
     */
    public static String render(List<Point> points, Instant from, Instant to, ZoneId zone, String label, String noData) {
        StringBuilder svg = new StringBuilder(16_384);
        svg.append("<svg class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(escape(label)).append("\">");
        svg.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(BOTTOM).append("\" x2=\"").append(RIGHT)
                .append("\" y2=\"").append(BOTTOM).append("\"/>");
        svg.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT)
                .append("\" y2=\"").append(BOTTOM).append("\"/>");
        timeLabels(svg, from, to, zone);
        if (points.size() < 2) {
            text(svg, (LEFT + RIGHT) / 2, (TOP + BOTTOM) / 2, "middle", noData);
            return svg.append("</svg>").toString();
        }
        double min = points.stream().mapToDouble(Point::value).min().orElseThrow();
        double max = points.stream().mapToDouble(Point::value).max().orElseThrow();
        text(svg, LEFT - 4, TOP + 8, "end", number(max));
        text(svg, LEFT - 4, BOTTOM, "end", number(min));
        double pad = max - min < 1e-9 ? Math.max(1, Math.abs(max) * 0.05) : 0;
        Scale scale = new Scale(from, to, min - pad, max + pad);
        for (List<Point> line : lines(downsample(points, from, to), gapThreshold(points, from, to))) {
            svg.append("<polyline class=\"line\" points=\"");
            for (Point p : line) {
                svg.append(coordinate(scale.x(p.time()))).append(',').append(coordinate(scale.y(p.value()))).append(' ');
            }
            svg.setLength(svg.length() - 1);
            svg.append("\"/>");
        }
        return svg.append("</svg>").toString();
    }

    /**
     * At most {@link #MAX_POINTS}: the range is cut into equal time slices and each slice keeps its
     * lowest and highest point (in time order), so a short spike survives downsampling.
     */
    static List<Point> downsample(List<Point> points, Instant from, Instant to) {
        if (points.size() <= MAX_POINTS) {
            return points;
        }
        int slices = MAX_POINTS / 2;
        double span = Math.max(1, Duration.between(from, to).toMillis());
        List<Point> result = new ArrayList<>(MAX_POINTS);
        int i = 0;
        for (int slice = 0; slice < slices && i < points.size(); slice++) {
            double end = (slice + 1) * span / slices;
            Point low = null;
            Point high = null;
            while (i < points.size() && (slice == slices - 1 || Duration.between(from, points.get(i).time()).toMillis() < end)) {
                Point p = points.get(i++);
                low = low == null || p.value() < low.value() ? p : low;
                high = high == null || p.value() > high.value() ? p : high;
            }
            if (low == null) {
                continue;
            }
            if (low == high) {
                result.add(low);
            } else if (low.time().isBefore(high.time())) {
                result.add(low);
                result.add(high);
            } else {
                result.add(high);
                result.add(low);
            }
        }
        return result;
    }

    /** How far apart two points may be and still be joined: a few usual intervals, at least two slices. */
    private static long gapThreshold(List<Point> points, Instant from, Instant to) {
        long[] gaps = new long[points.size() - 1];
        for (int i = 1; i < points.size(); i++) {
            gaps[i - 1] = Duration.between(points.get(i - 1).time(), points.get(i).time()).toMillis();
        }
        java.util.Arrays.sort(gaps);
        long median = gaps[gaps.length / 2];
        long slice = points.size() > MAX_POINTS ? Duration.between(from, to).toMillis() / (MAX_POINTS / 2) : 0;
        return Math.max(GAP_INTERVALS * median, 2 * slice + 1);
    }

    private static List<List<Point>> lines(List<Point> points, long gapMillis) {
        List<List<Point>> lines = new ArrayList<>();
        List<Point> current = new ArrayList<>();
        for (Point p : points) {
            if (!current.isEmpty() && Duration.between(current.get(current.size() - 1).time(), p.time()).toMillis() > gapMillis) {
                lines.add(current);
                current = new ArrayList<>();
            }
            current.add(p);
        }
        lines.add(current);
        // A lone point between two gaps would be an invisible polyline: draw it as a tiny stroke.
        for (List<Point> line : lines) {
            if (line.size() == 1) {
                line.add(line.get(0));
            }
        }
        return lines;
    }

    private static void timeLabels(StringBuilder svg, Instant from, Instant to, ZoneId zone) {
        DateTimeFormatter format = Duration.between(from, to).compareTo(Duration.ofDays(1)) >= 0 ? DAY_AND_CLOCK : CLOCK;
        Instant middle = from.plus(Duration.between(from, to).dividedBy(2));
        double y = BOTTOM + 18;
        text(svg, LEFT, y, "start", format.format(from.atZone(zone)));
        text(svg, (LEFT + RIGHT) / 2, y, "middle", format.format(middle.atZone(zone)));
        text(svg, RIGHT, y, "end", format.format(to.atZone(zone)));
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String text) {
        svg.append("<text x=\"").append(coordinate(x)).append("\" y=\"").append(coordinate(y)).append("\" text-anchor=\"")
                .append(anchor).append("\">").append(escape(text)).append("</text>");
    }

    /** A value label: whole numbers from 100 on, else one decimal. */
    static String number(double value) {
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String coordinate(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    /** Everything this class writes as text or attribute value goes through here. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Maps times and values onto the plot area (SVG y grows downwards). */
    private record Scale(Instant from, Instant to, double min, double max) {

        double x(Instant t) {
            double span = Math.max(1, Duration.between(from, to).toMillis());
            double at = Math.min(span, Math.max(0, Duration.between(from, t).toMillis()));
            return LEFT + (RIGHT - LEFT) * at / span;
        }

        double y(double value) {
            return BOTTOM - (BOTTOM - TOP) * (value - min) / (max - min);
        }
    }
}
