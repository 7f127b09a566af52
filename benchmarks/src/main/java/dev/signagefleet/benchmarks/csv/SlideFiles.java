package dev.signagefleet.benchmarks.csv;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Slide files in the shape of the samples ({@code /work/shared/samples/slides_utf8.csv}): every
 * column, quoted bodies with commas, a line break in every tenth body, Japanese text, image URLs,
 * schedules with and without offsets, target groups and priorities.
 */
final class SlideFiles {

    static final String HEADER = "slide_id,title,body,image_url,duration_sec,start_at,end_at,target_group,priority\n";

    private SlideFiles() {
    }

    /** {@code rows} rows over {@code groups} target groups; {@code variant} makes the bytes differ between iterations. */
    static Path write(Path dir, int rows, int groups, int variant) throws IOException {
        return write(dir.resolve("slides-" + rows + "-" + variant + ".csv"), rows, groups, variant, -1);
    }

    /** Like {@link #write(Path, int, int, int)}, but the last row repeats the slide_id of the second (far apart). */
    static Path writeWithOneRepeatedId(Path dir, int rows, int groups) throws IOException {
        return write(dir.resolve("slides-" + rows + "-repeated-id.csv"), rows, groups, 0, rows - 1);
    }

    private static Path write(Path file, int rows, int groups, int variant, int repeatingRow) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(HEADER);
            StringBuilder row = new StringBuilder(256);
            for (int i = 0; i < rows; i++) {
                row.setLength(0);
                row.append("s-").append(i == repeatingRow ? 1 : i).append(',');
                if (i % 7 == 0) {
                    row.append("本日のおすすめ ").append(i);
                } else {
                    row.append("Slide ").append(i);
                }
                if (i == 0) {
                    row.append(" v").append(variant);
                }
                row.append(',');
                if (i % 10 == 0) {
                    row.append("\"Welcome to our store!\nOpen daily 10:00-20:00 (").append(i).append(")\"");
                } else {
                    row.append("\"Up to ").append(i % 50).append("% off, this week only\"");
                }
                row.append(',');
                if (i % 3 == 0) {
                    row.append("https://example.com/img/").append(i % 1000).append(".png");
                }
                row.append(',').append(5 + i % 50).append(',');
                switch (i % 4) {
                    case 0 -> row.append("2026-12-01 09:00,,");
                    case 1 -> row.append("2026-12-01T00:00:00+09:00,2026-12-07T23:59:00+09:00,");
                    case 2 -> row.append(",2027-01-31 20:00,");
                    default -> row.append(",,");
                }
                row.append("group-").append(i % groups).append(',').append(i % 101).append('\n');
                out.append(row);
            }
        }
        return file;
    }
}
