package dev.signagefleet.agent.content;

import dev.signagefleet.agent.content.ContentException.Retry;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One terminal's content on disk, {@code {content.dir}/{device.id}/}:
 *
 * <pre>
 * current                     one line naming the package on screen: versions/tokyo-east+3
 * versions/tokyo-east+3/      an unpacked package (index.html, manifest.json, …)
 * versions/tokyo-east+2/      the previous one, kept until the next successful switch
 * tmp/                        downloads and unpacking in progress
 * </pre>
 *
 * A package becomes visible under {@code versions/} by an atomic rename of a complete directory, and
 * goes on screen by an atomic replace of {@code current}; the player reads {@code current} and never
 * sees half a package. No symbolic links (not every terminal's file system has them).
 */
public final class ContentStore {

    public static final String CURRENT = "current";
    public static final String VERSIONS = "versions";
    static final String TMP = "tmp";
    /** Packages kept besides the current one: the previous one for a quick way back, and one before it. */
    public static final int OLD_VERSIONS_KEPT = 2;

    private final Path root;

    public ContentStore(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    /**
     * The version {@code current} names, when its directory is there; empty without content.
     *
     * @throws ContentException when {@code current} cannot be read or names something else than a version
     */
    public Optional<ContentVersion> current() {
        Path pointer = root.resolve(CURRENT);
        String text;
        try {
            text = Files.readString(pointer, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ContentException("cannot read " + pointer + ": " + e, Retry.LATER, e);
        }
        String prefix = VERSIONS + "/";
        Optional<ContentVersion> version = text.startsWith(prefix)
                ? ContentVersion.fromDirName(text.substring(prefix.length())) : Optional.empty();
        if (version.isEmpty()) {
            throw new ContentException(pointer + " does not name a version directory: '" + text + "'", Retry.NEVER);
        }
        if (!Files.isDirectory(versionDir(version.get()))) {
            throw new ContentException(pointer + " names " + text + ", which does not exist", Retry.NEVER);
        }
        return version;
    }

    /** Where a version is (or would be) unpacked. */
    public Path versionDir(ContentVersion version) {
        return root.resolve(VERSIONS).resolve(version.dirName());
    }

    /** A new empty directory for one download, on the same file system as {@code versions/} (so renames are atomic). */
    Path newWorkDir() {
        Path dir = root.resolve(TMP).resolve(UUID.randomUUID().toString());
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ContentException("cannot create " + dir + ": " + e, Retry.LATER, e);
        }
    }

    /** Fails unless the file system of the store has {@code bytes} to spare. */
    void requireSpace(long bytes) {
        try {
            long usable = Files.getFileStore(root).getUsableSpace();
            if (usable < bytes) {
                throw new ContentException("not enough disk space (" + megabytes(bytes) + " MB needed, "
                        + megabytes(usable) + " MB free)", Retry.LATER);
            }
        } catch (IOException e) {
            throw new ContentException("cannot check the free space under " + root + ": " + e, Retry.LATER, e);
        }
    }

    /** Moves a complete unpacked package into {@code versions/} in one rename, replacing a leftover of the same version. */
    Path install(ContentVersion version, Path unpacked) {
        Path target = versionDir(version);
        try {
            Files.createDirectories(target.getParent());
            deleteTree(target);
            Files.move(unpacked, target, StandardCopyOption.ATOMIC_MOVE);
            // the pruning order: most recently installed first
            Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
            return target;
        } catch (IOException e) {
            throw new ContentException("cannot install " + version + " into " + target + ": " + e, Retry.LATER, e);
        }
    }

    /** Puts {@code version} on screen: writes {@code current} to a temporary file, syncs it, and renames it over the old one. */
    public void switchTo(ContentVersion version) {
        Path pointer = root.resolve(CURRENT);
        Path temp = root.resolve(CURRENT + ".tmp");
        try {
            try (FileOutputStream out = new FileOutputStream(temp.toFile())) {
                out.write((VERSIONS + "/" + version.dirName() + "\n").getBytes(StandardCharsets.UTF_8));
                out.getFD().sync();
            }
            try {
                Files.move(temp, pointer, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot replace " + pointer + " atomically", e);
            }
            syncDirectory(root);
        } catch (IOException e) {
            throw new ContentException("cannot switch to " + version + ": " + e, Retry.LATER, e);
        }
    }

    /**
     * Deletes what is no longer needed: every download left in {@code tmp/}, and the packages beyond
     * the current one and the {@link #OLD_VERSIONS_KEPT} most recently installed others. Call only
     * while no download of this terminal runs.
     *
     * @return the versions deleted
     */
    public List<String> prune() {
        if (!Files.isDirectory(root)) {
            return List.of(); // never had content: create nothing
        }
        List<String> deleted = new ArrayList<>();
        try {
            deleteTree(root.resolve(TMP));
            Path versions = root.resolve(VERSIONS);
            if (!Files.isDirectory(versions)) {
                return deleted;
            }
            Optional<String> current = currentQuietly().map(ContentVersion::dirName);
            List<Path> others = new ArrayList<>();
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(versions)) {
                for (Path dir : dirs) {
                    if (current.isEmpty() || !dir.getFileName().toString().equals(current.get())) {
                        others.add(dir);
                    }
                }
            }
            others.sort(Comparator.comparing(ContentStore::modified).reversed());
            for (Path old : others.subList(Math.min(OLD_VERSIONS_KEPT, others.size()), others.size())) {
                deleteTree(old);
                deleted.add(old.getFileName().toString());
            }
            return deleted;
        } catch (IOException e) {
            throw new ContentException("cannot clean up " + root + ": " + e, Retry.LATER, e);
        }
    }

    private Optional<ContentVersion> currentQuietly() {
        try {
            return current();
        } catch (ContentException e) {
            return Optional.empty(); // prune keeps the newest ones then, which includes whatever is shown
        }
    }

    /** Deletes a file or a directory with everything in it; nothing when it does not exist. */
    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
            for (Path each : deepestFirst) {
                Files.deleteIfExists(each);
            }
        }
    }

    /** Best effort, quietly: the delete of a temporary directory after a failure must not hide that failure. */
    static void deleteQuietly(Path path) {
        try {
            deleteTree(path);
        } catch (IOException e) {
            // the next prune removes whatever is left in tmp/
        }
    }

    private static FileTime modified(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            return FileTime.fromMillis(0); // unreadable: treat as the oldest
        }
    }

    /** Makes the rename itself durable; not every platform can open a directory, which is fine. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows: directories cannot be opened; NTFS journals the rename
        }
    }

    private static long megabytes(long bytes) {
        return bytes / (1024 * 1024);
    }
}
