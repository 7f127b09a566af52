package dev.signagefleet.ingest.versions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.ingest.upload.UploadQueries;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Deleting slide versions that a DONE upload replaced, against a real PostgreSQL. */
class SupersededSlidesIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T03:00:00Z"));
    /** Chunks of 2 slide ids, so an upload of a few slides takes several rounds. */
    private final SupersededSlides superseded = new SupersededSlides(db.jdbi(), clock, 2, Duration.ofSeconds(1));
    private final UploadQueries queries = new UploadQueries(db.jdbi());

    @BeforeEach
    void clean() {
        db.jdbi().useHandle(h -> h.execute("TRUNCATE uploads CASCADE"));
    }

    private UUID upload(String status, String... slideIds) {
        UUID id = UUID.randomUUID();
        clock.advance(Duration.ofMinutes(1));
        db.jdbi().useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO uploads (upload_id, sha256, size_bytes, status, correlation_id, uploaded_by, created_at, updated_at)
                            VALUES (:id, :sha, 10, :s, :c, 'test', :t, :t)
                            """)
                    .bind("id", id).bind("sha", "sha-" + id).bind("s", status).bind("c", "upload-" + id)
                    .bind("t", Timestamp.from(clock.instant())).execute();
            int line = 2;
            for (String slide : slideIds) {
                h.createUpdate("""
                                INSERT INTO slides (upload_id, slide_id, line, title, duration_sec, target_group, priority)
                                VALUES (:u, :id, :line, :title, 10, 'east', 50)
                                """)
                        .bind("u", id).bind("id", slide).bind("line", line++).bind("title", slide + " of " + id).execute();
            }
        });
        return id;
    }

    private void setStatus(UUID upload, String status) {
        db.jdbi().useHandle(h -> h.createUpdate("UPDATE uploads SET status = :s WHERE upload_id = :u")
                .bind("s", status).bind("u", upload).execute());
    }

    private List<String> versions() {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT slide_id || '@' || upload_id FROM slides ORDER BY 1")
                .mapTo(String.class).list());
    }

    private static List<String> of(UUID upload, String... slideIds) {
        List<String> out = new ArrayList<>();
        for (String s : slideIds) {
            out.add(s + "@" + upload);
        }
        return out;
    }

    @Test
    void olderVersionsOfADoneUploadsSlidesAreDeletedAndTheActiveOnesStay() {
        UUID first = upload("DONE", "a", "b", "c", "d", "e");
        UUID second = upload("DONE", "a", "c", "e", "f");

        assertThat(superseded.pruneAll()).isEqualTo(SupersededSlides.Round.IDLE);

        List<String> expected = new ArrayList<>(of(first, "b", "d"));
        expected.addAll(of(second, "a", "c", "e", "f"));
        assertThat(versions()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(queries.slide("a")).get().extracting(UploadQueries.SlideView::uploadId).isEqualTo(second.toString());
        assertThat(queries.slide("b")).get().extracting(UploadQueries.SlideView::uploadId).isEqualTo(first.toString());
        long due = db.jdbi().withHandle(h -> h.createQuery(
                "SELECT count(*) FROM uploads WHERE superseded_pruned_at IS NULL").mapTo(Long.class).one());
        assertThat(due).isZero();
    }

    @Test
    void failedUploadsUploadsOnTheirWayAndNewerVersionsAreLeftAlone() {
        UUID failed = upload("FAILED", "a", "b");
        UUID done = upload("DONE", "a", "b", "c");
        UUID building = upload("BUILDING", "a");
        UUID stuck = upload("REGISTERED", "c");
        List<String> before = versions();

        superseded.pruneAll();

        // The FAILED upload is older than the DONE one but never counted: its rows stay as they were (a record of the
        // upload); the BUILDING and REGISTERED ones are newer than the DONE one, and not DONE themselves.
        assertThat(versions()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(queries.slide("a")).get().extracting(UploadQueries.SlideView::uploadId).isEqualTo(building.toString());

        setStatus(building, "DONE");
        setStatus(stuck, "DONE");
        superseded.pruneAll();

        List<String> expected = new ArrayList<>(of(failed, "a", "b"));
        expected.addAll(of(done, "b"));
        expected.addAll(of(building, "a"));
        expected.addAll(of(stuck, "c"));
        assertThat(versions()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void nothingIsDeletedWhileABuildCollectsTheActiveSlides() {
        UUID first = upload("DONE", "a");
        UUID second = upload("DONE", "a");
        List<String> before = versions();

        try (Handle build = db.jdbi().open()) {
            build.begin();
            // what content-builder holds while it collects a build's slides
            build.execute("SELECT pg_advisory_xact_lock_shared(?, 0)", SupersededSlides.VERSIONS_LOCK);
            assertThat(superseded.pruneOnce()).isEqualTo(SupersededSlides.Round.BUSY);
            assertThat(versions()).containsExactlyInAnyOrderElementsOf(before);
            build.rollback();
        }

        assertThat(superseded.pruneAll()).isEqualTo(SupersededSlides.Round.IDLE);
        assertThat(versions()).containsExactlyElementsOf(of(second, "a"));
        assertThat(first).isNotEqualTo(second);
    }
}
