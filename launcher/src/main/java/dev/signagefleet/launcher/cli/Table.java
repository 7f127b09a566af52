package dev.signagefleet.launcher.cli;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns, for terminals. */
final class Table {

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
    }

    void add(String... cells) {
        List<String> row = new ArrayList<>();
        for (String cell : cells) {
            // Device-reported text may hold terminal escape sequences: never print control characters.
            row.add(cell == null ? "-" : cell.replaceAll("\\p{Cntrl}", " "));
        }
        rows.add(row);
    }

    String render() {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], Math.min(40, row.get(i).length()));
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, headers, widths);
        for (List<String> row : rows) {
            line(b, row, widths);
        }
        return b.toString();
    }

    private static void line(StringBuilder b, List<String> cells, int[] widths) {
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            if (cell.length() > 40) {
                cell = cell.substring(0, 39) + "~";
            }
            b.append(cell);
            if (i < cells.size() - 1) {
                b.append(" ".repeat(widths[i] - cell.length() + 2));
            }
        }
        b.append('\n');
    }
}
