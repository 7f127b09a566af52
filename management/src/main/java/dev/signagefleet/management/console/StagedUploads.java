package dev.signagefleet.management.console;

import dev.signagefleet.ingest.upload.UploadService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import dev.signagefleet.common.security.PasswordHasher;

/**
 * Files an admin checked in the console (dry run) and may now confirm, kept on disk for
 * {@link #KEEP} so the confirmation does not need the file again. A staged file belongs to the
 * user who checked it; at most {@link #MAX_STAGED} are kept, the oldest go first.
 */
public final class StagedUploads implements AutoCloseable {

    static final Duration KEEP = Duration.ofMinutes(30);
    static final int MAX_STAGED = 20;

    private final Path dir;
    private final Clock clock;
    private final Map<String, Staged> staged = new ConcurrentHashMap<>();

    /** A checked file waiting for confirmation. */
    public record Staged(String token, String username, String filename, Optional<Charset> charset, Path file,
                         UploadService.Outcome.Checked check, Instant stagedAt) {
    }

    public StagedUploads(Clock clock) {
        this.clock = clock;
        try {
            this.dir = Files.createTempDirectory("signage-console-uploads-");
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create a temporary folder for console uploads: " + e.getMessage(), e);
        }
    }

    /** Copies the file to the staging folder; returns where it is. */
    public Path spool(InputStream content) throws IOException {
        Path file = Files.createTempFile(dir, "upload-", ".csv");
        Files.copy(content, file, StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    public Staged keep(String username, String filename, Optional<Charset> charset, Path file, UploadService.Outcome.Checked check) {
        expire();
        while (staged.size() >= MAX_STAGED) {
            staged.values().stream().min(java.util.Comparator.comparing(Staged::stagedAt)).ifPresent(this::drop);
        }
        Staged s = new Staged(PasswordHasher.newSecret(), username, filename, charset, file, check, clock.instant());
        staged.put(s.token(), s);
        return s;
    }

    /** The staged file of this user under this token, if it is still kept. */
    public Optional<Staged> find(String token, String username) {
        expire();
        return Optional.ofNullable(token == null ? null : staged.get(token)).filter(s -> s.username().equals(username));
    }

    /** Takes the staged file out (once: a second confirmation finds nothing); the caller deletes its file. */
    public Optional<Staged> take(String token, String username) {
        Optional<Staged> found = find(token, username);
        return found.filter(s -> staged.remove(s.token(), s));
    }

    public void drop(Staged s) {
        staged.remove(s.token());
        delete(s.file());
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file: the OS cleans its temp folder
        }
    }

    private void expire() {
        Instant limit = clock.instant().minus(KEEP);
        staged.values().stream().filter(s -> s.stagedAt().isBefore(limit)).toList().forEach(this::drop);
    }

    @Override
    public void close() {
        staged.values().stream().toList().forEach(this::drop);
        delete(dir);
    }
}
