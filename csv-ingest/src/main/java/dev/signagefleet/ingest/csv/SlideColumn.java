package dev.signagefleet.ingest.csv;

/** The columns a slides CSV may have, each known by its header name. */
enum SlideColumn {
    SLIDE_ID("slide_id", true),
    TITLE("title", true),
    BODY("body", false),
    IMAGE_URL("image_url", false),
    DURATION_SEC("duration_sec", true),
    START_AT("start_at", false),
    END_AT("end_at", false),
    TARGET_GROUP("target_group", false),
    PRIORITY("priority", false);

    final String header;
    final boolean required;

    SlideColumn(String header, boolean required) {
        this.header = header;
        this.required = required;
    }

    /** The column with this header name (already trimmed and lower-cased), or {@code null}. */
    static SlideColumn byHeader(String name) {
        for (SlideColumn column : values()) {
            if (column.header.equals(name)) {
                return column;
            }
        }
        return null;
    }
}
