package dev.signagefleet.common.content;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where built content packages live (a folder here; object storage such as S3 in AWS): written by
 * content-builder, served to terminals by content-registry. A package is written to a temporary
 * file and moved into place, so a reader never sees half a package.
 */
public final class ContentPackages {

    private static final Pattern GROUP = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");

    private final Path root;

    /** A finished package: its SHA-256 (lowercase hex) and size in bytes. */
    public record Written(String sha256, long size) {
    }

    /** Writes a package's bytes; the stream it gets is the package file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    public ContentPackages(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The file of a group's version; the group is validated so it can never leave the root. */
    public Path path(String group, long number) {
        if (group == null || !GROUP.matcher(group).matches()) {
            throw new IllegalArgumentException("invalid group name: " + group);
        }
        if (number < 1) {
            throw new IllegalArgumentException("invalid version number: " + number);
        }
        return root.resolve(group).resolve(number + ".zip");
    }

    public Written write(String group, long number, Content content) {
        Path target = path(group, number);
        try {
            Files.createDirectories(target.getParent());
            Path temp = Files.createTempFile(target.getParent(), "." + number + "-", ".tmp");
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                try (OutputStream file = Files.newOutputStream(temp);
                     DigestOutputStream out = new DigestOutputStream(new java.io.BufferedOutputStream(file, 1 << 16), sha256)) {
                    content.writeTo(out);
                }
                long size = Files.size(temp);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return new Written(HexFormat.of().formatHex(sha256.digest()), size);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the content package " + target + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    public Optional<Path> find(String group, long number) {
        try {
            Path path = path(group, number);
            return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Removes a package that did not become a version (best effort: a leftover is never served, see the routes). */
    public void delete(String group, long number) {
        try {
            Files.deleteIfExists(path(group, number));
        } catch (IOException | IllegalArgumentException e) {
            org.slf4j.LoggerFactory.getLogger(ContentPackages.class)
                    .warn("Could not remove the unused package {}@{}: {}", group, number, e.getMessage());
        }
    }
}
