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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
     * How many packages are compressed at once. Compressing (each manifest twice, as manifest.json
     * and slides.js) is most of a package's cost; the next group's slides are read meanwhile.
     */
    private static final int PARALLEL_PACKAGES = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private final ExecutorService zippers = Executors.newFixedThreadPool(PARALLEL_PACKAGES, r -> {
        Thread t = new Thread(r, "content-builder-zip");
        t.setDaemon(true);
        return t;
    });

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
        long start = System.nanoTime();
        GroupSlides.Affected affected = slides.affected(handle, uploadId, GroupSlides.Targets.announcedIn(event.data()));
        List<String> groups = affected.groups();
        String trace = TraceParent.childOf(event.traceparent());
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("uploadId", uploadId.toString());
        started.put("groups", groups);
        Outbox.append(handle, Event.create(SOURCE, SignageEvents.CONTENT_BUILD_STARTED, uploadId.toString(), clock.instant(),
                event.correlationId(), trace, started));
        log.info("Building upload {} for {} group(s) (found in {} ms): {}", uploadId, groups.size(), millisSince(start), groups);

        long collecting = System.nanoTime();
        long collected = slides.prepare(handle, uploadId, affected);
        log.info("Collected the {} active slide(s) of those groups for upload {} in {} ms", collected, uploadId,
                millisSince(collecting));
        long writing = System.nanoTime();
        List<Package> packaged = new ArrayList<>();
        List<ContentPackages.Written> written = new ArrayList<>();
        ContentVersion reading = null;
        try {
            for (String group : groups) {
                // One builder per group at a time: versions of a group only ever increase.
                handle.execute("SELECT pg_advisory_xact_lock(?, hashtext(?))", 1_701_000_001, group);
                long number = handle.createQuery("SELECT coalesce(max(version_number), 0) + 1 FROM content_builds WHERE group_name = :g")
                        .bind("g", group).mapTo(Long.class).one();
                ContentVersion version = new ContentVersion(group, number);
                reading = version;
                Instant now = clock.instant();
                PlayerPackage.Manifest manifest;
                try {
                    manifest = PlayerPackage.manifest(version, uploadId, now, sink -> slides.forEach(handle, uploadId, group, now, sink));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the manifest of " + version + ": " + e.getMessage(), e);
                }
                // The database part of a package is done; compressing it runs beside the next group's reading.
                Future<ContentPackages.Written> zipped = zippers.submit(() -> {
                    try (manifest) {
                        return packages.write(group, number, out -> PlayerPackage.zip(out, manifest, maxPackageBytes));
                    }
                });
                packaged.add(new Package(version, now, manifest.slides(), zipped));
                if (packaged.size() >= PARALLEL_PACKAGES) {
                    // at most this many manifests wait for their ZIP (temporary disk, and the CPU is shared anyway)
                    awaitQuietly(packaged.get(packaged.size() - PARALLEL_PACKAGES).zipped());
                }
            }
            for (Package p : packaged) {
                written.add(p.zipped().get());
            }
        } catch (Exception e) {
            packaged.forEach(p -> awaitQuietly(p.zipped()));
            // None of these packages is a version: remove them.
            packaged.forEach(p -> packages.delete(p.version().group(), p.version().number()));
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof PackageTooLargeException || cause instanceof UncheckedIOException) {
                // the first package that failed, else the one whose slides were being read
                ContentVersion version = packaged.stream().filter(p -> failure(p.zipped()) != null).findFirst()
                        .map(Package::version).orElse(reading);
                Throwable reason = packaged.stream().map(p -> failure(p.zipped())).filter(java.util.Objects::nonNull)
                        .findFirst().orElse(cause);
                failed(handle, event, uploadId, version == null ? "(none)" : version.group(),
                        (version == null ? "" : version + ": ") + reason.getMessage(), trace);
                return;
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw cause instanceof RuntimeException r ? r : new IllegalStateException("building upload " + uploadId + " failed: " + cause, cause);
        }
        List<Map<String, Object>> built = new ArrayList<>();
        for (int i = 0; i < packaged.size(); i++) {
            Package p = packaged.get(i);
            ContentVersion version = p.version();
            ContentPackages.Written zip = written.get(i);
            handle.createUpdate("""
                            INSERT INTO content_builds (group_name, version_number, upload_id, sha256, size_bytes, slide_count, built_at)
                            VALUES (:g, :n, :u, :sha, :size, :slides, :at)
                            """)
                    .bind("g", version.group()).bind("n", version.number()).bind("u", uploadId).bind("sha", zip.sha256())
                    .bind("size", zip.size()).bind("slides", p.slides()).bind("at", Timestamp.from(p.builtAt())).execute();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("uploadId", uploadId.toString());
            data.put("group", version.group());
            data.put("version", version.toString());
            data.put("number", version.number());
            data.put("sha256", zip.sha256());
            data.put("size", zip.size());
            data.put("slides", p.slides());
            built.add(data);
            log.info("Built {} for upload {}: {} slide(s), {} bytes, sha256 {}", version, uploadId, p.slides(),
                    zip.size(), zip.sha256());
        }
        log.info("Wrote {} package(s) for upload {} in {} ms", built.size(), uploadId, millisSince(writing));
        handle.createUpdate("INSERT INTO built_uploads (upload_id, built_at) VALUES (:u, :at) ON CONFLICT DO NOTHING")
                .bind("u", uploadId).bind("at", Timestamp.from(clock.instant())).execute();
        for (Map<String, Object> data : built) {
            Outbox.append(handle, Event.create(SOURCE, SignageEvents.CONTENT_BUILT, (String) data.get("group"),
                    clock.instant(), event.correlationId(), trace, data));
        }
    }

    /** A group's package of this build: its manifest was written, its ZIP is being written (or was). */
    private record Package(ContentVersion version, Instant builtAt, int slides, Future<ContentPackages.Written> zipped) {
    }

    private static void awaitQuietly(Future<?> future) {
        try {
            future.get();
        } catch (ExecutionException e) {
            // reported where the results are collected
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Throwable failure(Future<?> future) {
        if (!future.isDone()) {
            return null;
        }
        try {
            future.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
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
