package dev.signagefleet.ingest.upload;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.ingest.csv.Problem;
import dev.signagefleet.ingest.csv.Slide;
import java.io.IOException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

import static dev.signagefleet.common.db.Columns.instant;

/** Read side of uploads: the list, one upload with its journey, its problems, a stored slide. */
public final class UploadQueries {

    private final Jdbi jdbi;

    public UploadQueries(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<UploadView> byId(UUID uploadId) {
        return jdbi.withHandle(h -> byId(h, uploadId));
    }

    Optional<UploadView> byId(Handle h, UUID uploadId) {
        return h.createQuery("SELECT * FROM uploads WHERE upload_id = :id").bind("id", uploadId)
                .map((rs, ctx) -> view(rs)).findOne();
    }

    /** The upload of these bytes that counts (failed ones do not: the same bytes may be sent again). */
    Optional<UploadView> bySha256(Handle h, String sha256) {
        return h.createQuery("SELECT * FROM uploads WHERE sha256 = :sha AND status <> 'FAILED'").bind("sha", sha256)
                .map((rs, ctx) -> view(rs)).findOne();
    }

    /** Uploads newest first; {@code before} is the created time of the last one seen (paging). */
    public List<UploadView> list(Instant before, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM uploads WHERE sha256 NOT LIKE 'pending:%'
                          AND (CAST(:before AS timestamptz) IS NULL OR created_at < :before)
                        ORDER BY created_at DESC, upload_id DESC LIMIT :limit
                        """)
                .bind("before", before == null ? null : java.sql.Timestamp.from(before)).bind("limit", limit)
                .map((rs, ctx) -> view(rs)).list());
    }

    public List<Problem> problems(UUID uploadId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT line, column_name, code, message FROM upload_problems WHERE upload_id = :u ORDER BY seq LIMIT :limit
                        """)
                .bind("u", uploadId).bind("limit", limit)
                .map((rs, ctx) -> new Problem(rs.getInt("line"), rs.getString("column_name"), rs.getString("code"),
                        rs.getString("message")))
                .list());
    }

    /** One step of an upload's journey. */
    public record JourneyStep(Instant time, String stage, String type, String subject, JsonNode data) {
    }

    /** Every event of the upload's correlation id csv-ingest saw, in the order they happened. */
    public List<JourneyStep> timeline(UUID uploadId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT occurred_at, source, type, subject, data::text AS data FROM upload_events
                        WHERE upload_id = :u ORDER BY occurred_at, recorded_at
                        """)
                .bind("u", uploadId)
                .map((rs, ctx) -> new JourneyStep(instant(rs, "occurred_at"), stage(rs.getString("source")),
                        rs.getString("type"), rs.getString("subject"), json(rs.getString("data"))))
                .list());
    }

    /** An event of an upload that a queue gave up on: the upload cannot move on until it is redriven. */
    public record StuckEvent(long deadLetterId, String queue, String eventType, String reason, Instant deadAt) {
    }

    /** Events of this correlation id waiting in the dead letters (dead_letters is the queues' shared plumbing). */
    public List<StuckEvent> deadLetters(String correlationId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT id, queue, event_type, reason, dead_at FROM dead_letters
                        WHERE correlation_id = :c AND state = 'dead' ORDER BY dead_at
                        """)
                .bind("c", correlationId)
                .map((rs, ctx) -> new StuckEvent(rs.getLong("id"), rs.getString("queue"), rs.getString("event_type"),
                        rs.getString("reason"), instant(rs, "dead_at")))
                .list());
    }

    /**
     * How many terminals of the upload's groups show its content (that version of their group, or
     * a later one), of how many terminals are in those groups.
     */
    public record Adoption(long adopted, long targets) {
    }

    public Adoption adoption(UUID uploadId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        WITH up AS (SELECT groups FROM uploads WHERE upload_id = :u),
                        versions AS (
                            SELECT data->>'group' AS group_name, max((data->>'number')::bigint) AS number
                            FROM upload_events WHERE upload_id = :u AND type = 'signage.content.registered.v1'
                            GROUP BY 1),
                        targets AS (
                            SELECT d.group_name, s.content_version
                            FROM devices d JOIN device_state s USING (device_id), up
                            WHERE d.group_name = ANY(up.groups))
                        SELECT count(*) AS targets,
                               count(*) FILTER (WHERE v.number IS NOT NULL
                                   AND split_part(t.content_version, '@', 1) = t.group_name
                                   AND split_part(t.content_version, '@', 2) ~ '^[0-9]{1,18}$'
                                   AND split_part(t.content_version, '@', 2)::bigint >= v.number) AS adopted
                        FROM targets t LEFT JOIN versions v USING (group_name)
                        """)
                .bind("u", uploadId)
                .map((rs, ctx) -> new Adoption(rs.getLong("adopted"), rs.getLong("targets")))
                .one());
    }

    /** A slide as stored: its active version (newest upload that has not failed). */
    public record SlideView(String slideId, String title, String body, String imageUrl, int durationSec, Instant startAt,
                            Instant endAt, String targetGroup, int priority, String uploadId) {
    }

    public Optional<SlideView> slide(String slideId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT s.* FROM slides s JOIN uploads u USING (upload_id)
                        WHERE s.slide_id = :id AND u.status <> 'FAILED'
                        ORDER BY u.created_at DESC, s.upload_id DESC LIMIT 1
                        """)
                .bind("id", slideId)
                .map((rs, ctx) -> new SlideView(rs.getString("slide_id"), rs.getString("title"), rs.getString("body"),
                        rs.getString("image_url"), rs.getInt("duration_sec"), instant(rs, "start_at"), instant(rs, "end_at"),
                        rs.getString("target_group"), rs.getInt("priority"), rs.getString("upload_id")))
                .findOne());
    }

    /**
     * Every active slide (its newest version of an upload that has not failed, as {@link #slide}),
     * by slide id, to {@code each}; with {@code group}, only those whose active version targets that
     * group. Read a page of 1,000 at a time, each page its own short query, so a slow reader of a big
     * export never holds a database connection while it writes.
     */
    public void forEachActiveSlide(String group, Consumer<Slide> each) {
        String after = "";
        while (true) {
            String from = after;
            // The page's last slide id first (an index scan), so each page reads only its own slides.
            Optional<String> upTo = jdbi.withHandle(h -> h.createQuery("""
                            SELECT max(slide_id) FROM (
                                SELECT DISTINCT slide_id FROM slides WHERE slide_id > :after ORDER BY slide_id LIMIT 1000) ids
                            """)
                    .bind("after", from).mapTo(String.class).findOne());
            if (upTo.isEmpty() || upTo.get() == null) {
                return;
            }
            List<Slide> page = jdbi.withHandle(h -> h.createQuery("""
                            SELECT * FROM (
                                SELECT DISTINCT ON (s.slide_id) s.* FROM slides s JOIN uploads u USING (upload_id)
                                WHERE u.status <> 'FAILED' AND s.slide_id > :after AND s.slide_id <= :upTo
                                ORDER BY s.slide_id, u.created_at DESC, s.upload_id DESC) active
                            WHERE CAST(:group AS text) IS NULL OR target_group = :group
                            ORDER BY slide_id
                            """)
                    .bind("group", group)
                    .bind("after", from)
                    .bind("upTo", upTo.get())
                    .map((rs, ctx) -> new Slide(rs.getString("slide_id"), rs.getString("title"), rs.getString("body"),
                            rs.getString("image_url"), rs.getInt("duration_sec"), instant(rs, "start_at"), instant(rs, "end_at"),
                            rs.getString("target_group"), rs.getInt("priority"), rs.getInt("line")))
                    .list());
            page.forEach(each);
            after = upTo.get();
        }
    }

    static String stage(String source) {
        if (source == null) {
            return "unknown";
        }
        int slash = source.lastIndexOf('/');
        return slash >= 0 ? source.substring(slash + 1) : source;
    }

    private static UploadView view(ResultSet rs) throws SQLException {
        Array groups = rs.getArray("groups");
        List<String> warnings = new ArrayList<>();
        json(rs.getString("warnings")).forEach(w -> warnings.add(w.asText()));
        return new UploadView(rs.getString("upload_id"), rs.getString("status"), rs.getString("reason"),
                rs.getString("filename"), rs.getLong("size_bytes"), rs.getString("sha256"), rs.getString("charset"),
                rs.getLong("row_count"), warnings, rs.getLong("problem_count"),
                groups == null ? null : Arrays.asList((String[]) groups.getArray()),
                rs.getString("correlation_id"), rs.getString("uploaded_by"), instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text == null ? "null" : text);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON is not readable", e);
        }
    }
}
