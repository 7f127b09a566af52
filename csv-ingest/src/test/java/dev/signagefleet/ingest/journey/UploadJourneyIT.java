package dev.signagefleet.ingest.journey;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.SignageEvents;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The upload's journey against a real PostgreSQL: events in any order and any number of times. */
class UploadJourneyIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final UploadJourney journey = new UploadJourney(clock);

    private static UUID upload() {
        UUID id = UUID.randomUUID();
        db.jdbi().useHandle(h -> h.createUpdate("""
                        INSERT INTO uploads (upload_id, sha256, size_bytes, status, correlation_id, uploaded_by, created_at, updated_at)
                        VALUES (:id, :sha, 10, 'ACCEPTED', :c, 'test', :t, :t)
                        """)
                .bind("id", id).bind("sha", "sha-" + id).bind("c", "upload-" + id).bind("t", Timestamp.from(T0)).execute());
        return id;
    }

    private static Event event(UUID upload, String type, String group, List<String> groups) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("uploadId", upload.toString());
        if (group != null) {
            data.put("group", group);
        }
        if (groups != null) {
            data.put("groups", groups);
        }
        return Event.create("/test", type, group == null ? upload.toString() : group, T0, "upload-" + upload, null, data);
    }

    private void deliver(Event event) {
        db.jdbi().useTransaction(h -> journey.handle(h, event));
    }

    private static String status(UUID upload) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM uploads WHERE upload_id = :u")
                .bind("u", upload).mapTo(String.class).one());
    }

    @Test
    void buildStartedArrivingLastStillFinishesTheUpload() {
        UUID upload = upload();
        deliver(event(upload, SignageEvents.CONTENT_BUILT, "east", null));
        deliver(event(upload, SignageEvents.CONTENT_BUILT, "west", null));
        deliver(event(upload, SignageEvents.CONTENT_REGISTERED, "east", null));
        deliver(event(upload, SignageEvents.CONTENT_REGISTERED, "west", null));
        assertThat(status(upload)).as("nothing can be decided before the groups are known").isEqualTo("ACCEPTED");

        deliver(event(upload, SignageEvents.CONTENT_BUILD_STARTED, null, List.of("east", "west")));
        assertThat(status(upload)).isEqualTo("DONE");
        long finished = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM outbox WHERE type = :t AND subject = :u")
                .bind("t", SignageEvents.UPLOAD_FINISHED).bind("u", upload.toString()).mapTo(Long.class).one());
        assertThat(finished).isEqualTo(1);
    }

    @Test
    void buildStartedAfterOnlySomeBuildsMovesAsFarAsTheyAllow() {
        UUID upload = upload();
        deliver(event(upload, SignageEvents.CONTENT_BUILT, "east", null));
        deliver(event(upload, SignageEvents.CONTENT_BUILT, "west", null));
        deliver(event(upload, SignageEvents.CONTENT_REGISTERED, "east", null));
        deliver(event(upload, SignageEvents.CONTENT_BUILD_STARTED, null, List.of("east", "west")));
        assertThat(status(upload)).isEqualTo("REGISTERED");

        Event last = event(upload, SignageEvents.CONTENT_REGISTERED, "west", null);
        deliver(last);
        deliver(last); // a redelivery changes nothing
        assertThat(status(upload)).isEqualTo("DONE");
    }

    @Test
    void aLateEventNeverMovesAnUploadBackwards() {
        UUID upload = upload();
        Event started = event(upload, SignageEvents.CONTENT_BUILD_STARTED, null, List.of("east"));
        deliver(started);
        deliver(event(upload, SignageEvents.CONTENT_BUILT, "east", null));
        deliver(event(upload, SignageEvents.CONTENT_REGISTERED, "east", null));
        assertThat(status(upload)).isEqualTo("DONE");
        deliver(event(upload, SignageEvents.CONTENT_BUILD_STARTED, null, List.of("east")));
        deliver(event(upload, SignageEvents.CONTENT_BUILD_FAILED, "east", null));
        assertThat(status(upload)).isEqualTo("DONE");
    }
}
