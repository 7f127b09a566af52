package dev.signagefleet.builder.build;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
     * Advisory lock class shared with csv-ingest's pruning of superseded slide versions
     * ({@code SupersededSlides}): a build holds it shared for its transaction, a pruning round
     * exclusively, so no version disappears while a build collects the active ones.
     */
    public static final int VERSIONS_LOCK = 1_701_000_004;

    /**
     * The uploads whose slides can be active in this build, newest first: this one and every built
     * upload that has not failed, as far as they still hold slides.
     */
    private static final String CANDIDATES = """
            SELECT u.upload_id FROM uploads u
            WHERE u.status <> 'FAILED'
              AND (u.upload_id = :upload OR EXISTS (SELECT 1 FROM built_uploads b WHERE b.upload_id = u.upload_id))
              AND EXISTS (SELECT 1 FROM slides s WHERE s.upload_id = u.upload_id)
            ORDER BY u.created_at DESC, u.upload_id DESC
            """;

    /**
     * One candidate's slides, added unless a newer candidate (added before, by an earlier statement)
     * has the slide id: so each slide id keeps its newest version without sorting every version of
     * every upload (a slide id occurs once per upload). No unique index: inserting a million ids in
     * random order into one thrashed the session's few temporary buffers; the anti-join hashes the
     * ids instead. Rows go in group by group, so each group's read below touches only its own pages.
     */
    private static final String COLLECT = """
            INSERT INTO build_active_slides
            SELECT s.slide_id, s.title, s.body, s.image_url, s.duration_sec, s.start_at, s.end_at, s.target_group, s.priority
            FROM slides s
            WHERE s.upload_id = :candidate %s %s
            ORDER BY s.target_group NULLS FIRST, s.priority DESC, s.slide_id
            """;

    /** Leaves out the slide ids a newer candidate brought (none for the first, the newest, candidate). */
    private static final String NOT_COLLECTED = "AND NOT EXISTS (SELECT 1 FROM build_active_slides a WHERE a.slide_id = s.slide_id)";

    /**
     * Only slide ids that ever targeted one of the build's groups (or every group): a slide whose
     * newest version targets such a group has such a version, so nothing is missed, and a build of a
     * few groups reads their slides instead of every slide of every group.
     */
    private static final String IN_SCOPE = "AND s.slide_id IN (SELECT slide_id FROM build_scope)";

    private static final String ACTIVE_FOR_GROUP = """
            SELECT * FROM build_active_slides a
            WHERE (a.target_group = :group OR a.target_group IS NULL) AND (a.end_at IS NULL OR a.end_at > :now)
            ORDER BY a.priority DESC, a.slide_id
            """;

    /**
     * The groups a build changes, and whether they include every group the fleet knows (then every
     * active slide is in scope and collecting needs no filter).
     */
    public record Affected(List<String> groups, boolean everyKnownGroup) {
    }

    /**
     * The groups an upload changes: the groups its slides target, the groups earlier built versions
     * of the same slides targeted (a slide that moves leaves its old group), and when one of those
     * targets every group, every group the fleet knows (of devices, and of earlier builds).
     */
    public Affected affected(Handle handle, UUID uploadId) {
        return affected(handle, uploadId, Optional.empty());
    }

    /**
     * As {@link #affected(Handle, UUID)}, taking the upload's own targets from its
     * {@code elements.registered} event when it states them ({@code groups}, {@code allGroups},
     * {@code rows}), instead of reading every slide of the upload once more.
     */
    public Affected affected(Handle handle, UUID uploadId, Optional<Targets> announced) {
        Targets own = announced.orElseGet(() -> targets(handle, uploadId));
        TreeSet<String> groups = new TreeSet<>(own.groups());
        boolean everyGroup = own.everyGroup();
        long rows = own.rows();
        TreeSet<String> known = new TreeSet<>(handle.createQuery("""
                        SELECT group_name FROM devices WHERE group_name IS NOT NULL
                        UNION SELECT DISTINCT group_name FROM content_builds
                        """)
                .mapTo(String.class).list());
        if (everyGroup) {
            groups.addAll(known);
            return new Affected(new ArrayList<>(groups), true);
        }
        if (groups.containsAll(known)) {
            // Earlier built versions targeted groups that were built, so known ones: nothing to add.
            return new Affected(new ArrayList<>(groups), true);
        }
        if (rows > 10_000) {
            // Right after a big COPY the statistics of slides are stale and the planner expects a few rows,
            // choosing a nested loop of index lookups where hashing is many times faster.
            handle.execute("SET LOCAL enable_nestloop = off");
        }
        List<String> earlier = handle.createQuery("""
                        SELECT DISTINCT p.target_group FROM slides p
                        WHERE p.upload_id <> :u
                          AND p.slide_id IN (SELECT slide_id FROM slides WHERE upload_id = :u)
                          AND EXISTS (SELECT 1 FROM built_uploads b WHERE b.upload_id = p.upload_id)
                        """)
                .bind("u", uploadId).mapTo(String.class).list();
        handle.execute("SET LOCAL enable_nestloop = on");
        for (String group : earlier) {
            if (group == null) {
                everyGroup = true;
            } else {
                groups.add(group);
            }
        }
        if (everyGroup) {
            groups.addAll(known);
        }
        return new Affected(new ArrayList<>(groups), groups.containsAll(known));
    }

    /** The groups of {@link #affected}. */
    public List<String> affectedGroups(Handle handle, UUID uploadId) {
        return affected(handle, uploadId).groups();
    }

    /**
     * Collects the active slides of the upload's groups once, for {@link #forEach}; must run in the
     * build's transaction (the collection is dropped at its end).
     *
     * @return how many slides were collected (of every affected group, ended ones included)
     */
    public long prepare(Handle handle, UUID uploadId, Affected affected) {
        handle.execute("SELECT pg_advisory_xact_lock_shared(?, 0)", VERSIONS_LOCK);
        handle.execute("DROP TABLE IF EXISTS build_active_slides");
        handle.execute("DROP TABLE IF EXISTS build_scope");
        handle.execute("""
                CREATE TEMPORARY TABLE build_active_slides (
                    slide_id text NOT NULL, title text NOT NULL, body text, image_url text, duration_sec integer NOT NULL,
                    start_at timestamptz, end_at timestamptz, target_group text, priority integer NOT NULL
                ) ON COMMIT DROP
                """);
        String filter = "";
        if (!affected.everyKnownGroup()) {
            handle.createUpdate("""
                            CREATE TEMPORARY TABLE build_scope ON COMMIT DROP AS
                            SELECT DISTINCT slide_id FROM slides WHERE target_group = ANY(:groups) OR target_group IS NULL
                            """)
                    .bind("groups", affected.groups().toArray(String[]::new)).execute();
            handle.execute("ANALYZE build_scope");
            filter = IN_SCOPE;
        }
        handle.execute("SET LOCAL work_mem = '64MB'");
        // The anti-join and the scope must hash: the collection has no index, and slides' statistics are stale
        // right after a big COPY (the planner would expect a few rows and loop, or sort both sides by slide id
        // to merge them, one more sort of a million wide rows). A candidate's rows are read in
        // the order they lie on disk (bitmap scan), not in slide-id order through the index (a million random reads).
        handle.execute("SET LOCAL enable_nestloop = off");
        handle.execute("SET LOCAL enable_mergejoin = off");
        handle.execute("SET LOCAL enable_indexscan = off");
        List<UUID> candidates = handle.createQuery(CANDIDATES).bind("upload", uploadId).mapTo(UUID.class).list();
        long collected = 0;
        for (UUID candidate : candidates) {
            long added = handle.createUpdate(COLLECT.formatted(filter, collected == 0 ? "" : NOT_COLLECTED))
                    .bind("candidate", candidate).execute();
            if (collected == 0 && added > 0) {
                // the planner's picture of the collection for the next candidates' anti-join (hash, not a loop of lookups)
                handle.execute("ANALYZE build_active_slides");
            }
            collected += added;
        }
        handle.execute("SET LOCAL enable_nestloop = on");
        handle.execute("SET LOCAL enable_mergejoin = on");
        handle.execute("SET LOCAL enable_indexscan = on");
        handle.execute("CREATE INDEX ON build_active_slides (target_group)");
        handle.execute("ANALYZE build_active_slides");
        return collected;
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

    /** What an upload's own slides target: these groups, and every group when one of them has no target group. */
    public record Targets(List<String> groups, boolean everyGroup, long rows) {

        /** From an {@code elements.registered} event's data, when it says all three. */
        public static Optional<Targets> announcedIn(JsonNode data) {
            if (!data.path("groups").isArray() || !data.path("allGroups").isBoolean() || !data.path("rows").canConvertToLong()) {
                return Optional.empty();
            }
            List<String> groups = new ArrayList<>();
            data.path("groups").forEach(g -> groups.add(g.asText()));
            return Optional.of(new Targets(groups, data.path("allGroups").asBoolean(), data.path("rows").asLong()));
        }
    }

    private static Targets targets(Handle handle, UUID uploadId) {
        List<String> groups = new ArrayList<>();
        boolean everyGroup = false;
        long rows = 0;
        for (Target target : handle.createQuery("SELECT target_group, count(*) AS n FROM slides WHERE upload_id = :u GROUP BY 1")
                .bind("u", uploadId).map((rs, ctx) -> new Target(rs.getString("target_group"), rs.getLong("n"))).list()) {
            rows += target.slides();
            if (target.group() == null) {
                everyGroup = true;
            } else {
                groups.add(target.group());
            }
        }
        return new Targets(groups, everyGroup, rows);
    }

    private record Target(String group, long slides) {
    }
}
