package dev.signagefleet.ingest.upload;

import java.time.Instant;
import java.util.List;

/**
 * An upload as the API shows it.
 *
 * @param groups the groups its content goes to (known once the build started), else null
 */
public record UploadView(
        String uploadId,
        String status,
        String reason,
        String filename,
        long sizeBytes,
        String sha256,
        String charset,
        long rows,
        List<String> warnings,
        long problemCount,
        List<String> groups,
        String correlationId,
        String uploadedBy,
        Instant createdAt,
        Instant updatedAt) {
}
