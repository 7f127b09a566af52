package dev.signagefleet.builder.build;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;

import static dev.signagefleet.common.db.Columns.instant;

/**
 * Reads what goes into a group's package: the active version of every slide (from the newest
 * upload that was built, or is being built now) that targets the group or every group and has not
 * ended, ordered by priority, then slide id. Uploads not built (yet, or never because their build
 * failed) do not count: their slides reach terminals only through their own build. (Reads
 * csv-ingest's slides and the fleet's groups: the builder's inputs.)
 */
public final class GroupSlides {

    /**
     * The active version of every slide that ever targeted one of the build's groups (or every
     * group), made once per build: reading it per group from {@code slides} re-read the same heap
     * pages for every group (a 1M-row upload to 100 groups spent 0.5 s a group; see BENCHMARKS.md).
     * A temporary table of this transaction; {@code :groups} are the build's groups.
     */
    private static final String PREPARE_ACTIVE = """
            CREATE TEMPORARY TABLE build_active_slides ON COMMIT DROP AS
            SELECT * FROM (
                SELECT DISTINCT ON (s.slide_id) s.slide_id, s.title, s.body, s.image_url, s.duration_sec, s.start_at,
                       s.end_at, s.target_group, s.priority
                FROM slides s JOIN uploads u USING (upload_id)
                WHERE u.status <> 'FAILED'
                  AND (s.upload_id = :upload OR EXISTS (SELECT 1 FROM built_uploads b WHERE b.upload_id = s.upload_id))
                  -- only slide ids that ever targeted one of these groups (or every group): a slide whose newest
                  -- version targets such a group has such a version, so nothing is missed, and a build reads
                  -- its groups' slides instead of every slide of every group
                  AND s.slide_id IN (SELECT slide_id FROM slides WHERE target_group = ANY(:groups) OR target_group IS NULL)
                ORDER BY s.slide_id, u.created_at DESC, s.upload_id DESC
            ) a
            -- stored group by group, so each group's read below touches only its own pages
            ORDER BY a.target_group NULLS FIRST, a.priority DESC, a.slide_id
            """;

    private static final String ACTIVE_FOR_GROUP = """
            SELECT * FROM build_active_slides a
            WHERE (a.target_group = :group OR a.target_group IS NULL) AND (a.end_at IS NULL OR a.end_at > :now)
            ORDER BY a.priority DESC, a.slide_id
            """;

    /**
     * The groups an upload changes: the groups its slides target, the groups earlier built versions
     * of the same slides targeted (a slide that moves leaves its old group), and when one of those
     * targets every group, every group the fleet knows (of devices, and of earlier builds).
     */
    public List<String> affectedGroups(Handle handle, UUID uploadId) {
        List<String> targets = handle.createQuery("""
                        SELECT DISTINCT target_group FROM slides WHERE upload_id = :u
                        UNION
                        SELECT DISTINCT p.target_group FROM slides p
                        WHERE p.upload_id <> :u
                          AND p.slide_id IN (SELECT slide_id FROM slides WHERE upload_id = :u)
                          AND EXISTS (SELECT 1 FROM built_uploads b WHERE b.upload_id = p.upload_id)
                        """)
                .bind("u", uploadId).mapTo(String.class).list();
        TreeSet<String> groups = new TreeSet<>();
        boolean everyGroup = false;
        for (String target : targets) {
            if (target == null) {
                everyGroup = true;
            } else {
                groups.add(target);
            }
        }
        if (everyGroup) {
            groups.addAll(handle.createQuery("""
                            SELECT group_name FROM devices WHERE group_name IS NOT NULL
                            UNION SELECT group_name FROM content_builds
                            """)
                    .mapTo(String.class).list());
        }
        return new ArrayList<>(groups);
    }

    /**
     * Collects the active slides of the upload's groups once, for {@link #forEach}; must run in the
     * build's transaction (the collection is dropped at its end).
     */
    public void prepare(Handle handle, UUID uploadId, List<String> groups) {
        handle.execute("DROP TABLE IF EXISTS build_active_slides");
        // Right after a big COPY the statistics of slides are stale and the planner expects a few
        // rows, choosing a nested loop of index lookups (12 s for 1M slides, where hashing takes 2 s).
        handle.execute("SET LOCAL enable_nestloop = off");
        handle.execute("SET LOCAL work_mem = '64MB'");
        handle.createUpdate(PREPARE_ACTIVE)
                .bind("upload", uploadId)
                .bind("groups", groups.toArray(String[]::new))
                .execute();
        handle.execute("SET LOCAL enable_nestloop = on");
        handle.execute("CREATE INDEX ON build_active_slides (target_group)");
        handle.execute("ANALYZE build_active_slides");
    }

    /**
     * Streams the group's slides in package order (flat memory, whatever the number of slides), from
     * what {@link #prepare} collected for this upload in this transaction.
     */
    public void forEach(Handle handle, UUID uploadId, String group, Instant now, Consumer<Slide> sink) {
        handle.createQuery(ACTIVE_FOR_GROUP)
                .bind("group", group)
                .bind("now", Timestamp.from(now))
                .setFetchSize(1_000)
                .map((rs, ctx) -> new Slide(rs.getString("slide_id"), rs.getString("title"), rs.getString("body"),
                        rs.getString("image_url"), rs.getInt("duration_sec"), instant(rs, "start_at"), instant(rs, "end_at"),
                        rs.getInt("priority")))
                .useStream(stream -> stream.forEach(sink));
    }
}
