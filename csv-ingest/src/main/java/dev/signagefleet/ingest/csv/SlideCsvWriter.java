package dev.signagefleet.ingest.csv;

import dev.signagefleet.common.csv.SpreadsheetSafeCsv;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;

/**
 * Writes slides as a CSV in the upload format, for exports: the columns in their usual order, times
 * with the offset of the fleet's zone, and cells a spreadsheet would run as a formula escaped with an
 * apostrophe (the reader drops it again, so an export uploads unchanged). Starts with a byte order mark
 * for Excel: write it to a UTF-8 writer.
 */
public final class SlideCsvWriter implements Flushable, Closeable {

    public static final List<String> HEADER = List.of("slide_id", "title", "body", "image_url", "duration_sec",
            "start_at", "end_at", "target_group", "priority");

    private final SpreadsheetSafeCsv csv;
    private final ZoneId zone;

    /** Starts the CSV on {@code out} with its header row. */
    public SlideCsvWriter(Writer out, ZoneId zone) {
        this.csv = ProblemReport.startCsv(out);
        this.zone = zone;
        csv.row(HEADER);
    }

    public void write(Slide slide) {
        csv.row(Arrays.asList(slide.slideId(), slide.title(), slide.body(), slide.imageUrl(),
                Integer.toString(slide.durationSec()), time(slide.startAt()), time(slide.endAt()), slide.targetGroup(),
                Integer.toString(slide.priority())));
    }

    private String time(Instant instant) {
        return instant == null ? "" : OffsetDateTime.ofInstant(instant, zone).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    @Override
    public void flush() {
        csv.flush();
    }

    /** Flushes and closes the underlying writer. */
    @Override
    public void close() throws IOException {
        csv.close();
    }
}
