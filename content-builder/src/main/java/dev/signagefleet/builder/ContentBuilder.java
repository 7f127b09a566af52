package dev.signagefleet.builder;

import dev.signagefleet.builder.build.GroupSlides;
import dev.signagefleet.builder.build.PackageTooLargeException;
import dev.signagefleet.builder.build.PlayerPackage;
import dev.signagefleet.builder.version.ContentVersion;
import dev.signagefleet.common.content.ContentPackages;
import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.SignageEvents;
import dev.signagefleet.common.event.TraceParent;
import dev.signagefleet.common.outbox.Outbox;
import dev.signagefleet.common.sqs.EventHandler;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * content-builder: when an upload's slides are registered, builds one content package per affected
 * group (manifest + self-contained player page, SHA-256, a version that only increases per group)
 * and says so: {@code content.build-started}, then {@code content.built} for every group, or
 * {@code content.build-failed} with the reason. An upload is built all or nothing: if one group's
 * package cannot be built, none of its groups get a new version.
 */
public final class ContentBuilder implements EventHandler {

    private static final Logger log = LoggerFactory.getLogger(ContentBuilder.class);

    public static final String SOURCE = "/signage/content-builder";
    /** Name of this consumer (its queue and inbox key). */
    public static final String CONSUMER = "content-builder";
    public static final List<String> SUBSCRIBES = List.of(SignageEvents.ELEMENTS_REGISTERED);

    private final ContentPackages packages;
    private final Clock clock;
    private final long maxPackageBytes;
    private final GroupSlides slides = new GroupSlides();

    /**
     * @param maxPackageBytes a package above this size fails the build (terminals have limited space)
     */
    public ContentBuilder(ContentPackages packages, Clock clock, long maxPackageBytes) {
        this.packages = packages;
        this.clock = clock;
        this.maxPackageBytes = maxPackageBytes;
    }

    @Override
    public void handle(Handle handle, Event event) {
        UUID uploadId = UUID.fromString(event.data().path("uploadId").asText());
        List<String> groups = slides.affectedGroups(handle, uploadId);
        String trace = TraceParent.childOf(event.traceparent());
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("uploadId", uploadId.toString());
        started.put("groups", groups);
        Outbox.append(handle, Event.create(SOURCE, SignageEvents.CONTENT_BUILD_STARTED, uploadId.toString(), clock.instant(),
                event.correlationId(), trace, started));
        log.info("Building upload {} for {} group(s): {}", uploadId, groups.size(), groups);

        slides.prepare(handle, uploadId, groups);
        List<Map<String, Object>> built = new ArrayList<>();
        for (String group : groups) {
            // One builder per group at a time: versions of a group only ever increase.
            handle.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", 1_701_000_001, group);
            long number = handle.createQuery("SELECT coalesce(max(version_number), 0) + 1 FROM content_builds WHERE group_name = :g")
                    .bind("g", group).mapTo(Long.class).one();
            ContentVersion version = new ContentVersion(group, number);
            Instant now = clock.instant();
            ContentPackages.Written written;
            int[] slideCount = {0};
            try {
                written = packages.write(group, number, out -> slideCount[0] = PlayerPackage.write(out,
                        version, uploadId, now, maxPackageBytes, sink -> slides.forEach(handle, uploadId, group, now, sink)));
            } catch (PackageTooLargeException | UncheckedIOException e) {
                failed(handle, event, uploadId, group, version + ": " + e.getMessage(), trace);
                // The packages of the groups built before are not versions: remove them.
                built.forEach(b -> packages.delete((String) b.get("group"), (Long) b.get("number")));
                return;
            }
            handle.createUpdate("""
                            INSERT INTO content_builds (group_name, version_number, upload_id, sha256, size_bytes, slide_count, built_at)
                            VALUES (:g, :n, :u, :sha, :size, :slides, :at)
                            """)
                    .bind("g", group).bind("n", number).bind("u", uploadId).bind("sha", written.sha256())
                    .bind("size", written.size()).bind("slides", slideCount[0]).bind("at", Timestamp.from(now)).execute();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("uploadId", uploadId.toString());
            data.put("group", group);
            data.put("version", version.toString());
            data.put("number", number);
            data.put("sha256", written.sha256());
            data.put("size", written.size());
            data.put("slides", slideCount[0]);
            built.add(data);
            log.info("Built {} for upload {}: {} slide(s), {} bytes, sha256 {}", version, uploadId, slideCount[0],
                    written.size(), written.sha256());
        }
        handle.createUpdate("INSERT INTO built_uploads (upload_id, built_at) VALUES (:u, :at) ON CONFLICT DO NOTHING")
                .bind("u", uploadId).bind("at", Timestamp.from(clock.instant())).execute();
        for (Map<String, Object> data : built) {
            Outbox.append(handle, Event.create(SOURCE, SignageEvents.CONTENT_BUILT, (String) data.get("group"),
                    clock.instant(), event.correlationId(), trace, data));
        }
    }

    private void failed(Handle handle, Event event, UUID uploadId, String group, String reason, String trace) {
        // Nothing of this upload becomes a version: the rows and events of groups built before are not written.
        log.warn("Build of upload {} failed for group {}: {}", uploadId, group, reason);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("uploadId", uploadId.toString());
        data.put("group", group);
        data.put("reason", reason);
        handle.execute("DELETE FROM content_builds WHERE upload_id = ?", uploadId);
        Outbox.append(handle, Event.create(SOURCE, SignageEvents.CONTENT_BUILD_FAILED, uploadId.toString(), clock.instant(),
                event.correlationId(), trace, data));
    }
}
