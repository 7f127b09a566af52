package dev.signagefleet.contentregistry.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.content.ContentPackages;
import dev.signagefleet.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jdbi.v3.core.Jdbi;

import static dev.signagefleet.common.db.Columns.instant;

/** Read side of content: versions per group, which is current, a version's manifest and package file. */
public final class ContentCatalog {

    private final Jdbi jdbi;
    private final ContentPackages packages;

    public ContentCatalog(Jdbi jdbi, ContentPackages packages) {
        this.jdbi = jdbi;
        this.packages = packages;
    }

    /** One registered content version. */
    public record ContentVersionView(String group, long number, String version, boolean current, String sha256,
                                     long size, int slides, String uploadId, String correlationId, Instant registeredAt) {
    }

    /** Versions newest first, of one group or of all. */
    public List<ContentVersionView> versions(String group, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT v.*, (c.version_number = v.version_number) AS is_current
                        FROM content_versions v LEFT JOIN current_content c USING (group_name)
                        WHERE (CAST(:g AS text) IS NULL OR v.group_name = :g)
                        ORDER BY v.group_name, v.version_number DESC
                        LIMIT :limit
                        """)
                .bind("g", group).bind("limit", limit)
                .map((rs, ctx) -> view(rs))
                .list());
    }

    public Optional<ContentVersionView> version(String group, long number) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT v.*, (c.version_number = v.version_number) AS is_current
                        FROM content_versions v LEFT JOIN current_content c USING (group_name)
                        WHERE v.group_name = :g AND v.version_number = :n
                        """)
                .bind("g", group).bind("n", number)
                .map((rs, ctx) -> view(rs))
                .findOne());
    }

    /** The manifest inside a version's package. */
    public Optional<JsonNode> manifest(String group, long number) {
        Optional<Path> file = packages.find(group, number);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try (ZipFile zip = new ZipFile(file.get().toFile())) {
            ZipEntry entry = zip.getEntry("manifest.json");
            if (entry == null) {
                return Optional.empty();
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return Optional.of(Json.mapper().readTree(in));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the package of " + group + "@" + number + ": " + e.getMessage(), e);
        }
    }

    /**
     * The package file of a version. Served as soon as its build committed: the registry tells
     * terminals about a version just before its own transaction commits, and they may ask for it at
     * once. A file whose build did not commit (a failed upload's other groups, a crash) is never
     * served, so a version number's bytes never change once anyone has seen them.
     */
    public Optional<Path> packageFile(String group, long number) {
        // content_builds belongs to content-builder: the registry only asks whether the build committed.
        boolean built = jdbi.withHandle(h -> h.createQuery(
                        "SELECT EXISTS (SELECT 1 FROM content_builds WHERE group_name = :g AND version_number = :n)")
                .bind("g", group).bind("n", number).mapTo(Boolean.class).one());
        return built ? packages.find(group, number) : Optional.empty();
    }

    private static ContentVersionView view(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new ContentVersionView(rs.getString("group_name"), rs.getLong("version_number"),
                rs.getString("group_name") + "@" + rs.getLong("version_number"), rs.getBoolean("is_current"),
                rs.getString("sha256"), rs.getLong("size_bytes"), rs.getInt("slide_count"), rs.getString("upload_id"),
                rs.getString("correlation_id"), instant(rs, "registered_at"));
    }
}
