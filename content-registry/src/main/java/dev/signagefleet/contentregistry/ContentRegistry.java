package dev.signagefleet.contentregistry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.SignageEvents;
import dev.signagefleet.common.event.TraceParent;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.common.outbox.Outbox;
import dev.signagefleet.common.sqs.EventHandler;
import dev.signagefleet.contentregistry.assignment.AssignmentPublisher;
import dev.signagefleet.contentregistry.assignment.ContentTopics;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * content-registry: records each built content version, makes it current for its group (only ever
 * forward), and tells the group's terminals with a retained assignment message, then says
 * {@code content.registered}. Redelivered events repeat the retained message, which is harmless.
 */
public final class ContentRegistry implements EventHandler {

    private static final Logger log = LoggerFactory.getLogger(ContentRegistry.class);

    public static final String SOURCE = "/signage/content-registry";
    /** Advisory lock class for "a version of this group is being registered". */
    private static final int GROUP_LOCK = 1_701_000_002;
    public static final String CONSUMER = "content-registry";
    public static final List<String> SUBSCRIBES = List.of(SignageEvents.CONTENT_BUILT);

    private final AssignmentPublisher publisher;
    private final java.util.function.Supplier<String> publicBaseUrl;
    private final Clock clock;

    /**
     * @param publicBaseUrl where terminals reach the content server, e.g. {@code http://signage.local:8080}
     *                      (asked for each assignment: the server's port may be known only once it listens)
     */
    public ContentRegistry(AssignmentPublisher publisher, java.util.function.Supplier<String> publicBaseUrl, Clock clock) {
        this.publisher = publisher;
        this.publicBaseUrl = publicBaseUrl;
        this.clock = clock;
    }

    private String baseUrl() {
        String url = publicBaseUrl.get();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The URL a terminal downloads a package from. */
    public static String packagePath(String group, long number) {
        return "/content/" + group + "/" + number + "/package.zip";
    }

    @Override
    public void handle(Handle handle, Event event) throws Exception {
        JsonNode d = event.data();
        String group = d.path("group").asText();
        long number = d.path("number").asLong();
        String version = d.path("version").asText();
        String sha256 = d.path("sha256").asText();
        long size = d.path("size").asLong();
        String uploadId = d.path("uploadId").asText(null);
        Instant now = clock.instant();
        handle.createUpdate("""
                        INSERT INTO content_versions (group_name, version_number, sha256, size_bytes, slide_count, upload_id,
                            correlation_id, registered_at)
                        VALUES (:g, :n, :sha, :size, :slides, :u, :c, :at)
                        ON CONFLICT (group_name, version_number) DO NOTHING
                        """)
                .bind("g", group).bind("n", number).bind("sha", sha256).bind("size", size)
                .bind("slides", d.path("slides").asInt()).bind("u", uploadId == null ? null : UUID.fromString(uploadId))
                .bind("c", event.correlationId()).bind("at", Timestamp.from(now)).execute();
        // One registration per group at a time, also for its very first version (no row to lock yet):
        // a group's current version, and its retained assignment, only ever move forward.
        handle.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", GROUP_LOCK, group);
        Optional<Long> current = handle.createQuery("SELECT version_number FROM current_content WHERE group_name = :g FOR UPDATE")
                .bind("g", group).mapTo(Long.class).findOne();
        boolean superseded = current.isPresent() && current.get() > number;
        String url = baseUrl() + packagePath(group, number);
        String trace = TraceParent.childOf(event.traceparent());
        if (!superseded) {
            handle.createUpdate("""
                            INSERT INTO current_content (group_name, version_number, version, registered_at) VALUES (:g, :n, :v, :at)
                            ON CONFLICT (group_name) DO UPDATE SET version_number = EXCLUDED.version_number,
                                version = EXCLUDED.version, registered_at = EXCLUDED.registered_at
                            WHERE current_content.version_number < EXCLUDED.version_number
                            """)
                    .bind("g", group).bind("n", number).bind("v", version).bind("at", Timestamp.from(now)).execute();
            ObjectNode assignment = Json.mapper().createObjectNode()
                    .put("v", 1).put("version", version).put("url", url).put("sha256", sha256).put("size", size);
            if (event.correlationId() != null) {
                assignment.put("correlationId", event.correlationId());
            }
            assignment.put("traceparent", trace);
            // Published before the commit: if the commit fails, the event comes again and so does this message.
            publisher.publishRetained(ContentTopics.forGroup(group), assignment.toString().getBytes(StandardCharsets.UTF_8));
            log.info("{} is now current for group {}; terminals were told on {}", version, group, ContentTopics.forGroup(group));
        } else {
            log.info("{} registered but not made current: group {} already shows version {}", version, group, current.get());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("uploadId", uploadId);
        data.put("group", group);
        data.put("version", version);
        data.put("number", number);
        data.put("url", url);
        data.put("superseded", superseded);
        Outbox.append(handle, Event.create(SOURCE, SignageEvents.CONTENT_REGISTERED, group, now, event.correlationId(), trace, data));
    }
}
