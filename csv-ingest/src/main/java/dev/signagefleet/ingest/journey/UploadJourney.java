package dev.signagefleet.ingest.journey;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.SignageEvents;
import dev.signagefleet.common.event.TraceParent;
import dev.signagefleet.common.outbox.Outbox;
import dev.signagefleet.common.sqs.EventHandler;
import dev.signagefleet.ingest.upload.UploadService;
import dev.signagefleet.ingest.upload.UploadStatus;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows an upload through the other services by their events and moves it on: BUILDING when the
 * build started, REGISTERED when every group's package was built, DONE when every group's content
 * was registered and sent to the terminals, FAILED with the reason when the build failed. Every
 * event is also kept as a step of the upload's timeline. Moves are only ever forward, so events
 * that arrive late or twice change nothing.
 *
 * <p>Compensation on FAILED: the upload's slides stop being active (the active version of a slide
 * is the newest one of an upload that has not failed), and no content was registered for it (the
 * builder is all-or-nothing), so each group keeps its previous content.
 */
public final class UploadJourney implements EventHandler {

    private static final Logger log = LoggerFactory.getLogger(UploadJourney.class);

    public static final String CONSUMER = "csv-ingest";
    public static final List<String> SUBSCRIBES = List.of(SignageEvents.CONTENT_BUILD_STARTED, SignageEvents.CONTENT_BUILT,
            SignageEvents.CONTENT_BUILD_FAILED, SignageEvents.CONTENT_REGISTERED);

    private final Clock clock;

    public UploadJourney(Clock clock) {
        this.clock = clock;
    }

    /** Keeps an event as a step of the upload's timeline (once, whatever the deliveries). */
    public static void record(Handle handle, UUID uploadId, Event event, Instant recordedAt) {
        handle.createUpdate("""
                        INSERT INTO upload_events (upload_id, event_id, type, source, subject, occurred_at, recorded_at, data)
                        VALUES (:u, :id, :type, :source, :subject, :at, :rec, CAST(:data AS jsonb))
                        ON CONFLICT (upload_id, event_id) DO NOTHING
                        """)
                .bind("u", uploadId).bind("id", event.id()).bind("type", event.type()).bind("source", event.source())
                .bind("subject", event.subject()).bind("at", Timestamp.from(event.time()))
                .bind("rec", Timestamp.from(recordedAt)).bind("data", event.data().toString()).execute();
    }

    @Override
    public void handle(Handle handle, Event event) {
        JsonNode data = event.data();
        String id = data.path("uploadId").asText(null);
        if (id == null) {
            log.warn("Event {} {} names no upload; ignored", event.type(), event.id());
            return;
        }
        UUID uploadId = UUID.fromString(id);
        Optional<Current> current = handle.createQuery("SELECT status, groups FROM uploads WHERE upload_id = :u FOR UPDATE")
                .bind("u", uploadId)
                .map((rs, ctx) -> new Current(UploadStatus.valueOf(rs.getString("status")),
                        rs.getArray("groups") == null ? null : List.of((String[]) rs.getArray("groups").getArray())))
                .findOne();
        if (current.isEmpty()) {
            log.warn("Event {} is about upload {}, which this service does not know; ignored", event.type(), uploadId);
            return;
        }
        Instant now = clock.instant();
        record(handle, uploadId, event, now);
        UploadStatus status = current.get().status();
        switch (event.type()) {
            case SignageEvents.CONTENT_BUILD_STARTED -> {
                List<String> groups = new ArrayList<>();
                data.path("groups").forEach(g -> groups.add(g.asText()));
                handle.createUpdate("UPDATE uploads SET groups = :g WHERE upload_id = :u")
                        .bind("g", groups.toArray(String[]::new)).bind("u", uploadId).execute();
                if (groups.isEmpty()) {
                    move(handle, uploadId, status, UploadStatus.DONE, "no group of terminals to deliver to", event, now);
                } else {
                    // built / registered events may have come first (a retried or slower delivery)
                    advance(handle, uploadId, status, groups, event, now);
                }
            }
            case SignageEvents.CONTENT_BUILT, SignageEvents.CONTENT_REGISTERED ->
                    advance(handle, uploadId, status, current.get().groups(), event, now);
            case SignageEvents.CONTENT_BUILD_FAILED -> move(handle, uploadId, status, UploadStatus.FAILED,
                    "content build failed: " + data.path("reason").asText("no reason given"), event, now);
            default -> log.debug("Event type {} does not move uploads", event.type());
        }
    }

    /**
     * Moves the upload as far as the events recorded so far allow, whatever order they came in:
     * DONE when every group's content was registered, REGISTERED when every group's package was
     * built, else BUILDING. Before build-started (which names the groups) nothing can be decided;
     * build-started then decides with every event recorded before it.
     */
    private void advance(Handle handle, UUID uploadId, UploadStatus status, List<String> groups, Event event, Instant now) {
        if (groups == null) {
            return;
        }
        UploadStatus target = UploadStatus.BUILDING;
        if (allGroupsHave(handle, uploadId, groups, SignageEvents.CONTENT_REGISTERED)) {
            target = UploadStatus.DONE;
        } else if (allGroupsHave(handle, uploadId, groups, SignageEvents.CONTENT_BUILT)) {
            target = UploadStatus.REGISTERED;
        }
        move(handle, uploadId, status, target, null, event, now);
    }

    private static boolean allGroupsHave(Handle handle, UUID uploadId, List<String> groups, String type) {
        long seen = handle.createQuery("""
                        SELECT count(DISTINCT data->>'group') FROM upload_events WHERE upload_id = :u AND type = :t
                        """)
                .bind("u", uploadId).bind("t", type).mapTo(Long.class).one();
        return seen >= groups.size();
    }

    private void move(Handle handle, UUID uploadId, UploadStatus from, UploadStatus to, String reason, Event cause, Instant now) {
        if (!from.canMoveTo(to)) {
            return;
        }
        handle.createUpdate("UPDATE uploads SET status = :s, reason = coalesce(:r, reason), updated_at = :now WHERE upload_id = :u")
                .bind("s", to.name()).bind("r", reason).bind("now", Timestamp.from(now)).bind("u", uploadId).execute();
        log.info("Upload {} is now {}{}", uploadId, to, reason == null ? "" : " (" + reason + ")");
        if (to.isFinal()) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("uploadId", uploadId.toString());
            data.put("status", to.name());
            data.put("reason", reason);
            Event finished = Event.create(UploadService.SOURCE, SignageEvents.UPLOAD_FINISHED, uploadId.toString(), now,
                    cause.correlationId(), TraceParent.childOf(cause.traceparent()), data);
            Outbox.append(handle, finished);
            record(handle, uploadId, finished, now);
        }
    }

    private record Current(UploadStatus status, List<String> groups) {
    }
}
