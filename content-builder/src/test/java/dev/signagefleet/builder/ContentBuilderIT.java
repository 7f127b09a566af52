package dev.signagefleet.builder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.content.ContentPackages;
import dev.signagefleet.common.event.Event;
import dev.signagefleet.common.event.SignageEvents;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.testing.MutableClock;
import dev.signagefleet.testing.PostgresExtension;
import dev.signagefleet.testing.TempDirs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * content-builder against a real PostgreSQL: which version of each slide goes into a group's
 * package when the same slide ids were uploaded several times (csv-ingest's rows are written here
 * directly, as csv-ingest stores them).
 */
class ContentBuilderIT {

    @RegisterExtension
    static final PostgresExtension db = new PostgresExtension();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T03:00:00Z"));
    private Path dir;
    private ContentPackages packages;
    private ContentBuilder builder;

    @BeforeEach
    void setUp() throws IOException {
        db.jdbi().useHandle(h -> h.execute("TRUNCATE uploads, built_uploads, content_builds, outbox, devices CASCADE"));
        dir = Files.createTempDirectory("builder-it-");
        packages = new ContentPackages(dir);
        builder = new ContentBuilder(packages, clock, 10L * 1024 * 1024);
    }

    @AfterEach
    void tearDown() {
        TempDirs.deleteQuietly(dir);
    }

    /** A slide as an upload states it: id, title, target group (null = every group). */
    private record Row(String id, String title, String group) {
    }

    /** Each upload's rows, for its elements.registered event. */
    private final Map<UUID, Row[]> uploaded = new java.util.HashMap<>();

    private UUID upload(String status, Row... rows) {
        UUID id = UUID.randomUUID();
        uploaded.put(id, rows);
        clock.advance(Duration.ofMinutes(1));
        db.jdbi().useTransaction(h -> {
            h.createUpdate("""
                            INSERT INTO uploads (upload_id, sha256, size_bytes, status, correlation_id, uploaded_by, created_at, updated_at)
                            VALUES (:id, :sha, 10, :s, :c, 'test', :t, :t)
                            """)
                    .bind("id", id).bind("sha", "sha-" + id).bind("s", status).bind("c", "upload-" + id)
                    .bind("t", Timestamp.from(clock.instant())).execute();
            int line = 2;
            for (Row row : rows) {
                h.createUpdate("""
                                INSERT INTO slides (upload_id, slide_id, line, title, duration_sec, target_group, priority)
                                VALUES (:u, :id, :line, :title, 10, :g, 50)
                                """)
                        .bind("u", id).bind("id", row.id()).bind("line", line++).bind("title", row.title())
                        .bind("g", row.group()).execute();
            }
        });
        return id;
    }

    /** Builds the upload from its elements.registered event, which states its targets as csv-ingest's does. */
    private void build(UUID upload) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("uploadId", upload.toString());
        Row[] rows = uploaded.get(upload);
        data.put("rows", rows.length);
        data.put("groups", java.util.Arrays.stream(rows).map(Row::group).filter(java.util.Objects::nonNull).distinct().sorted().toList());
        data.put("allGroups", java.util.Arrays.stream(rows).anyMatch(r -> r.group() == null));
        deliver(upload, data);
    }

    /** Builds the upload from an event that names only the upload (the builder reads its targets itself). */
    private void buildFromUploadIdOnly(UUID upload) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("uploadId", upload.toString());
        deliver(upload, data);
    }

    private void deliver(UUID upload, Map<String, Object> data) {
        Event event = Event.create("/test", SignageEvents.ELEMENTS_REGISTERED, upload.toString(), clock.instant(),
                "upload-" + upload, null, data);
        db.jdbi().useTransaction(h -> builder.handle(h, event));
    }

    /** The titles (slide id = title) in the newest package of the group. */
    private List<String> newestPackage(String group) throws IOException {
        long number = db.jdbi().withHandle(h -> h.createQuery("SELECT max(version_number) FROM content_builds WHERE group_name = :g")
                .bind("g", group).mapTo(Long.class).one());
        List<String> slides = new ArrayList<>();
        try (InputStream in = Files.newInputStream(packages.path(group, number)); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals("manifest.json")) {
                    JsonNode manifest = Json.mapper().readTree(zip.readAllBytes());
                    manifest.path("slides").forEach(s -> slides.add(s.path("slideId").asText() + "=" + s.path("title").asText()));
                }
            }
        }
        return slides;
    }

    private List<String> builtGroups(UUID upload) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT group_name FROM content_builds WHERE upload_id = :u ORDER BY 1")
                .bind("u", upload).mapTo(String.class).list());
    }

    @Test
    void aReUploadOfTheSameSlideIdsBuildsFromTheNewestVersionsOnly() throws IOException {
        UUID first = upload("DONE", new Row("a", "a1", "east"), new Row("b", "b1", "east"), new Row("c", "c1", "west"));
        build(first);
        UUID second = upload("ACCEPTED", new Row("a", "a2", "east"), new Row("c", "c2", "west"));
        build(second);

        assertThat(builtGroups(second)).containsExactly("east", "west");
        assertThat(newestPackage("east")).containsExactlyInAnyOrder("a=a2", "b=b1");
        assertThat(newestPackage("west")).containsExactly("c=c2");

        UUID third = upload("ACCEPTED", new Row("a", "a3", "east"), new Row("b", "b3", "east"), new Row("c", "c3", "west"));
        build(third);
        assertThat(newestPackage("east")).containsExactlyInAnyOrder("a=a3", "b=b3");
        assertThat(newestPackage("west")).containsExactly("c=c3");
    }

    @Test
    void anOlderUploadBuiltAfterANewerOneDoesNotBringBackItsOlderVersions() throws IOException {
        UUID older = upload("ACCEPTED", new Row("a", "a-older", "east"), new Row("b", "b-older", "east"));
        UUID newer = upload("ACCEPTED", new Row("a", "a-newer", "east"));
        build(newer);
        build(older);

        assertThat(newestPackage("east")).containsExactlyInAnyOrder("a=a-newer", "b=b-older");
    }

    @Test
    void versionsOfUploadsNotBuiltOrFailedDoNotRideAlong() throws IOException {
        UUID built = upload("DONE", new Row("a", "a-built", "east"), new Row("b", "b-built", "east"));
        build(built);
        upload("FAILED", new Row("a", "a-failed", "east"));
        upload("ACCEPTED", new Row("b", "b-waiting", "east"));
        UUID now = upload("ACCEPTED", new Row("c", "c-now", "east"));
        build(now);

        assertThat(newestPackage("east")).containsExactlyInAnyOrder("a=a-built", "b=b-built", "c=c-now");
    }

    @Test
    void aSlideMovedToAnotherGroupLeavesItsOldGroupWhileOtherGroupsAreNotRebuilt() throws IOException {
        UUID first = upload("DONE", new Row("a", "a1", "east"), new Row("b", "b1", "east"), new Row("c", "c1", "north"));
        build(first);
        UUID moved = upload("ACCEPTED", new Row("a", "a2", "west"));
        build(moved);

        assertThat(builtGroups(moved)).containsExactly("east", "west");
        assertThat(newestPackage("east")).containsExactly("b=b1");
        assertThat(newestPackage("west")).containsExactly("a=a2");
        assertThat(newestPackage("north")).containsExactly("c=c1");
    }

    @Test
    void aSlideForEveryGroupGoesIntoEveryKnownGroup() throws IOException {
        UUID first = upload("DONE", new Row("a", "a1", "east"), new Row("b", "b1", "west"));
        build(first);
        UUID all = upload("ACCEPTED", new Row("hello", "hi", null), new Row("a", "a2", "east"));
        build(all);

        assertThat(builtGroups(all)).containsExactly("east", "west");
        assertThat(newestPackage("east")).containsExactlyInAnyOrder("a=a2", "hello=hi");
        assertThat(newestPackage("west")).containsExactlyInAnyOrder("b=b1", "hello=hi");
    }

    @Test
    void anEventThatDoesNotStateTheTargetsIsBuiltTheSame() throws IOException {
        UUID first = upload("DONE", new Row("a", "a1", "east"), new Row("b", "b1", "west"));
        buildFromUploadIdOnly(first);
        UUID all = upload("ACCEPTED", new Row("hello", "hi", null), new Row("a", "a2", "east"));
        buildFromUploadIdOnly(all);

        assertThat(builtGroups(all)).containsExactly("east", "west");
        assertThat(newestPackage("east")).containsExactlyInAnyOrder("a=a2", "hello=hi");
        assertThat(newestPackage("west")).containsExactlyInAnyOrder("b=b1", "hello=hi");
    }
}
