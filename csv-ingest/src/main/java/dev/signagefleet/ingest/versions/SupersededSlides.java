package dev.signagefleet.ingest.versions;

import dev.signagefleet.common.Causes;
import dev.signagefleet.common.work.WakeableLoop;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes slide versions that can never be active again: once an upload is DONE (built and
 * registered, which never fails afterwards), the versions of its slide ids in older DONE uploads are
 * superseded for good. Without this, {@code slides} kept every version of every upload, and
 * collecting the active slides for a build (content-builder) read more with every re-upload of the
 * same slide ids. The newest version of every slide, FAILED uploads and uploads still on their way
 * are left alone, so what is active (for builds, {@code GET /api/slides}, the export) does not change.
 *
 * <p>Runs in small transactions (a chunk of the upload's slide ids each) on its own thread, off the
 * path of uploads. Each round holds the advisory lock that content-builder holds shared while it
 * collects a build's slides, so no version disappears under a build. Several instances may run:
 * a round that does not get the lock does nothing, and a repeated delete finds nothing.
 */
public final class SupersededSlides implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SupersededSlides.class);

    /** content-builder's {@code GroupSlides.VERSIONS_LOCK}: the same number, or builds and pruning would overlap. */
    static final int VERSIONS_LOCK = 1_701_000_004;

    private static final String NEXT_DUE = """
            SELECT upload_id, created_at FROM uploads
            WHERE status = 'DONE' AND superseded_pruned_at IS NULL
            ORDER BY created_at, upload_id
            LIMIT 1
            FOR UPDATE SKIP LOCKED
            """;
    private static final String CHUNK = """
            SELECT slide_id FROM slides WHERE upload_id = :u AND slide_id > :after ORDER BY slide_id LIMIT :n
            """;
    /** Versions of these slide ids in DONE uploads older than the one that replaced them (same order as "newest"). */
    private static final String DELETE_OLDER = """
            DELETE FROM slides o USING uploads ou
            WHERE o.slide_id = ANY(:ids) AND o.upload_id <> :u
              AND ou.upload_id = o.upload_id AND ou.status = 'DONE'
              AND (ou.created_at, ou.upload_id) < (:created, :u)
            """;

    private final Jdbi jdbi;
    private final Clock clock;
    private final int chunk;
    private final Duration pollInterval;
    private final WakeableLoop worker = new WakeableLoop();
    /** Where the round in progress is: the upload whose slide ids are walked, and the last one done. */
    private UUID walking;
    private String after = "";
    private long deletedForWalking;

    /**
     * @param chunk        slide ids per transaction
     * @param pollInterval how often to look for uploads that became DONE (in any instance)
     */
    public SupersededSlides(Jdbi jdbi, Clock clock, int chunk, Duration pollInterval) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.chunk = chunk;
        this.pollInterval = pollInterval;
    }

    public SupersededSlides(Jdbi jdbi, Clock clock) {
        this(jdbi, clock, 10_000, Duration.ofSeconds(2));
    }

    /** What one round did. */
    public enum Round {
        /** Deleted a chunk's older versions (maybe none); there may be more to do. */
        WORKED,
        /** A build is collecting slides (or another instance prunes): try again later. */
        BUSY,
        /** No DONE upload waits for its older versions to be deleted. */
        IDLE
    }

    /** One chunk of the oldest DONE upload whose older versions are not deleted yet, in one transaction. */
    public synchronized Round pruneOnce() {
        return jdbi.inTransaction(h -> {
            if (!h.createQuery("SELECT pg_try_advisory_xact_lock(:k, 0)").bind("k", VERSIONS_LOCK).mapTo(Boolean.class).one()) {
                return Round.BUSY;
            }
            Optional<Due> due = h.createQuery(NEXT_DUE)
                    .map((rs, ctx) -> new Due(rs.getObject("upload_id", UUID.class), rs.getTimestamp("created_at")))
                    .findOne();
            if (due.isEmpty()) {
                return Round.IDLE;
            }
            UUID upload = due.get().uploadId();
            if (!upload.equals(walking)) {
                walking = upload;
                after = "";
                deletedForWalking = 0;
            }
            List<String> ids = h.createQuery(CHUNK).bind("u", upload).bind("after", after).bind("n", chunk)
                    .mapTo(String.class).list();
            if (!ids.isEmpty()) {
                deletedForWalking += h.createUpdate(DELETE_OLDER)
                        .bindArray("ids", String.class, ids)
                        .bind("u", upload)
                        .bind("created", due.get().createdAt())
                        .execute();
            }
            if (ids.size() < chunk) {
                h.createUpdate("UPDATE uploads SET superseded_pruned_at = :now WHERE upload_id = :u")
                        .bind("now", Timestamp.from(clock.instant())).bind("u", upload).execute();
                if (deletedForWalking > 0) {
                    log.info("Deleted {} version(s) of slides that upload {} replaced (they can never be active again)",
                            deletedForWalking, upload);
                }
                walking = null;
            } else {
                after = ids.get(ids.size() - 1);
            }
            return Round.WORKED;
        });
    }

    /** Prunes until nothing is due (or a build holds the lock), e.g. in tests. */
    public Round pruneAll() {
        Round round;
        do {
            round = pruneOnce();
        } while (round == Round.WORKED);
        return round;
    }

    public void start() {
        worker.start("superseded-slides", this::loop);
    }

    /** Looks at once, e.g. after an upload became DONE. */
    public void nudge() {
        worker.nudge();
    }

    private void loop() {
        while (worker.running()) {
            Round round;
            try {
                round = pruneOnce();
            } catch (RuntimeException e) {
                log.warn("Could not delete superseded slide versions (retrying in {} s): {}", pollInterval.toSeconds(),
                        Causes.rootMessage(e));
                round = Round.BUSY;
            }
            if (round != Round.WORKED) {
                worker.awaitWork(pollInterval);
            }
        }
    }

    /** Stops after the round in progress (a round is one short transaction). */
    @Override
    public void close() {
        worker.close();
    }

    private record Due(UUID uploadId, Timestamp createdAt) {
    }
}
