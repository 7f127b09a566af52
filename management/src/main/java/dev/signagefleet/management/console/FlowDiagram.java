package dev.signagefleet.management.console;

import java.util.List;

/**
 * The event flow as a diagram drawn on the server as inline SVG (no script, no library): each
 * publishing service on the left, the event types it published in the middle, and for each type
 * the consumers that handled it on the right, one row per consumer, so no two arrows cross. An
 * arrow into a type carries its event count; an arrow into a consumer the events it handled, the
 * median delay and what it still waits for. The table below it holds the same numbers for reading.
 */
public final class FlowDiagram {

    private static final int ROW = 50;
    private static final int BOX = 38;
    private static final int TOP = 26;
    private static final int PUBLISHER_X = 8;
    private static final int PUBLISHER_W = 170;
    private static final int TYPE_X = 262;
    private static final int TYPE_W = 260;
    private static final int CONSUMER_X = 690;
    private static final int CONSUMER_W = 180;
    private static final int WIDTH = CONSUMER_X + CONSUMER_W + 8;
    private static final int MAX_LABEL = 34;

    private FlowDiagram() {
    }

    /** The SVG of the flows (ordered by publisher, as {@link FlowQueries#summary} returns them). */
    public static String render(List<FlowQueries.TypeFlow> flows, Page page) {
        int rows = flows.stream().mapToInt(FlowDiagram::rows).sum();
        int height = TOP + Math.max(1, rows) * ROW + 8;
        StringBuilder svg = new StringBuilder(8_192);
        svg.append("<svg class=\"flow-diagram\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"").append(escape(page.t("flow.diagram.label"))).append("\">");
        svg.append("<defs><marker id=\"flow-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
                + "markerHeight=\"7\" orient=\"auto\"><path class=\"flow-arrowhead\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>");
        if (flows.isEmpty()) {
            text(svg, WIDTH / 2.0, TOP + ROW / 2.0, "flow-empty", "middle", page.t("flow.noEvents"));
            return svg.append("</svg>").toString();
        }
        text(svg, PUBLISHER_X, TOP - 10, "flow-heading", "start", page.t("flow.publisher"));
        text(svg, TYPE_X, TOP - 10, "flow-heading", "start", page.t("flow.type"));
        text(svg, CONSUMER_X, TOP - 10, "flow-heading", "start", page.t("flow.consumer"));
        int row = 0;
        int i = 0;
        while (i < flows.size()) {
            String publisher = flows.get(i).publisher();
            int first = row;
            for (; i < flows.size() && flows.get(i).publisher().equals(publisher); i++) {
                row = type(svg, flows.get(i), row, page);
            }
            int top = TOP + first * ROW + (ROW - BOX) / 2;
            box(svg, PUBLISHER_X, top, PUBLISHER_W, (row - first) * ROW - (ROW - BOX), "flow-node publisher", publisher, null,
                    publisher);
        }
        return svg.append("</svg>").toString();
    }

    /** Draws one type with the arrows into and out of it from {@code row} on; returns the next free row. */
    private static int type(StringBuilder svg, FlowQueries.TypeFlow f, int row, Page page) {
        int rows = rows(f);
        double centre = TOP + row * ROW + rows * ROW / 2.0;
        arrow(svg, PUBLISHER_X + PUBLISHER_W, centre, TYPE_X, centre, "flow-edge");
        text(svg, (PUBLISHER_X + PUBLISHER_W + TYPE_X) / 2.0, centre - 5, "flow-count", "middle", String.valueOf(f.events()));
        for (int k = 0; k < f.edges().size(); k++) {
            FlowQueries.Edge e = f.edges().get(k);
            double y = TOP + (row + k) * ROW + ROW / 2.0;
            String state = e.dead() > 0 ? "dead" : e.waiting() > 0 ? "waiting" : null;
            arrow(svg, TYPE_X + TYPE_W, centre, CONSUMER_X, y, state == null ? "flow-edge" : "flow-edge " + state);
            String label = e.handled() + (e.medianDelay() == null ? "" : " · " + FlowPages.delay(page, e.medianDelay()));
            text(svg, CONSUMER_X - 10, y - 5, "flow-count", "end", label);
            if (state != null) {
                String note = state.equals("dead") ? page.t("flow.deadCount", e.dead()) : page.t("flow.waitingCount", e.waiting());
                text(svg, CONSUMER_X - 10, y + 13, "flow-count " + state, "end", note);
            }
            box(svg, CONSUMER_X, y - BOX / 2.0, CONSUMER_W, BOX, "flow-node consumer", e.consumer(), null, e.consumer());
        }
        String note = f.parked() > 0 ? page.t("flow.parkedCount", f.parked())
                : f.pending() > 0 ? page.t("flow.pendingCount", f.pending())
                : f.deadLettered() > 0 ? page.t("flow.deadCount", f.deadLettered())
                : f.edges().isEmpty() ? page.t("flow.noConsumer") : null;
        String cls = "flow-node type" + (f.parked() > 0 || f.deadLettered() > 0 ? " bad" : f.pending() > 0 ? " pending" : "");
        box(svg, TYPE_X, centre - BOX / 2.0, TYPE_W, BOX, cls, shortType(f.type()), note, f.type());
        return row + rows;
    }

    private static int rows(FlowQueries.TypeFlow f) {
        return Math.max(1, f.edges().size());
    }

    /** {@code signage.elements.registered.v1} as {@code elements.registered.v1}: the prefix is the same everywhere. */
    public static String shortType(String type) {
        return type.startsWith("signage.") ? type.substring("signage.".length()) : type;
    }

    private static void box(StringBuilder svg, double x, double top, double width, double height, String cls, String label,
                            String note, String title) {
        double centre = top + height / 2;
        svg.append("<g class=\"").append(cls).append("\"><title>").append(escape(title)).append("</title>");
        svg.append("<rect x=\"").append(x).append("\" y=\"").append(top).append("\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" rx=\"6\"/>");
        if (note == null) {
            text(svg, x + 10, centre + 4, "flow-label", "start", cut(label));
        } else {
            text(svg, x + 10, centre - 3, "flow-label", "start", cut(label));
            text(svg, x + 10, centre + 12, "flow-note", "start", cut(note));
        }
        svg.append("</g>");
    }

    private static void arrow(StringBuilder svg, double x1, double y1, double x2, double y2, String cls) {
        double mid = (x1 + x2) / 2.0;
        svg.append("<path class=\"").append(cls).append("\" d=\"M").append(x1).append(',').append(y1)
                .append(" C").append(mid).append(',').append(y1).append(' ').append(mid).append(',').append(y2)
                .append(' ').append(x2 - 2).append(',').append(y2).append("\" marker-end=\"url(#flow-arrow)\"/>");
    }

    private static void text(StringBuilder svg, double x, double y, String cls, String anchor, String text) {
        svg.append("<text class=\"").append(cls).append("\" x=\"").append(x).append("\" y=\"").append(y)
                .append("\" text-anchor=\"").append(anchor).append("\">").append(escape(text)).append("</text>");
    }

    private static String cut(String text) {
        return text.length() > MAX_LABEL ? text.substring(0, MAX_LABEL - 1) + "…" : text;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
