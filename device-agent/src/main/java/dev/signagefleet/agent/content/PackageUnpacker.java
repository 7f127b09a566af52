package dev.signagefleet.agent.content;

import dev.signagefleet.agent.content.ContentException.Retry;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Unpacks a verified content package (a ZIP with at least {@code manifest.json} and
 * {@code index.html} at its root) into a fresh directory. A checksum only proves the server sent
 * what it meant to, so the archive is still treated as untrusted: entries that would land outside
 * the directory (absolute paths, {@code ..}, backslashes) are refused, and the number of entries
 * and the unpacked size are limited (a zip bomb stops at the limit, not at a full disk). Every file
 * is synced to disk before the package can be switched to, so a power cut never shows a torn page.
 */
public final class PackageUnpacker {

    /** Files a package must have at its root. */
    public static final List<String> REQUIRED_FILES = List.of("manifest.json", "index.html");
    /** A player page with its assets is far below this; more entries means a broken or hostile archive. */
    public static final int DEFAULT_MAX_ENTRIES = 10_000;
    /** Unpacked size allowed per byte of {@code content.max.bytes}: HTML and JSON compress well, not a thousandfold. */
    public static final int UNPACKED_PER_PACKAGE_BYTE = 4;
    private static final int CHUNK = 64 * 1024;

    private final int maxEntries;
    private final long maxUnpackedBytes;

    public PackageUnpacker(int maxEntries, long maxUnpackedBytes) {
        this.maxEntries = maxEntries;
        this.maxUnpackedBytes = maxUnpackedBytes;
    }

    /** The limits the agent uses for a {@code content.max.bytes} of {@code maxPackageBytes}. */
    public static PackageUnpacker forMaxPackageBytes(long maxPackageBytes) {
        return new PackageUnpacker(DEFAULT_MAX_ENTRIES, Math.multiplyExact(maxPackageBytes, UNPACKED_PER_PACKAGE_BYTE));
    }

    /**
     * Unpacks {@code zipFile} into {@code dir}, which must not exist yet.
     *
     * @throws ContentException {@link Retry#NEVER} for a bad package, {@link Retry#LATER} when the disk fails
     */
    public void unpack(Path zipFile, Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        createDirectories(root);
        try (ZipFile zip = open(zipFile)) {
            if (zip.size() > maxEntries) {
                throw invalid("more than " + maxEntries + " entries (" + zip.size() + ")");
            }
            Set<String> seen = new HashSet<>();
            long unpacked = 0;
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                Path target = target(root, entry.getName());
                if (!seen.add(root.relativize(target).toString())) {
                    throw invalid("entry '" + entry.getName() + "' appears twice");
                }
                if (entry.isDirectory()) {
                    createDirectories(target);
                } else {
                    createDirectories(target.getParent());
                    unpacked = copy(zip, entry, target, unpacked);
                }
            }
        } catch (IOException e) {
            // closing the archive
            throw new ContentException("cannot read the package " + zipFile + ": " + e, Retry.LATER, e);
        }
        for (String required : REQUIRED_FILES) {
            if (!Files.isRegularFile(root.resolve(required))) {
                throw invalid("no " + required + " at the root of the package");
            }
        }
    }

    /** Where an entry goes, or why it may not go anywhere. */
    static Path target(Path root, String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw invalid("entry with an empty or invalid name");
        }
        if (name.indexOf('\\') >= 0) {
            throw invalid("entry '" + name + "' contains a backslash");
        }
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            throw invalid("entry '" + name + "' has an absolute path");
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw invalid("entry '" + name + "' escapes the package with '..'");
            }
        }
        Path target = root.resolve(name).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
            throw invalid("entry '" + name + "' escapes the package");
        }
        return target;
    }

    private long copy(ZipFile zip, ZipEntry entry, Path target, long unpackedBefore) {
        long unpacked = unpackedBefore;
        byte[] chunk = new byte[CHUNK];
        InputStream in = entryStream(zip, entry);
        try (in; FileOutputStream out = create(target, entry)) {
            while (true) {
                int read = readEntry(in, chunk, entry);
                if (read < 0) {
                    break;
                }
                unpacked += read;
                if (unpacked > maxUnpackedBytes) {
                    // counted as written, whatever the entry headers claim
                    throw invalid("unpacks to more than " + maxUnpackedBytes + " bytes");
                }
                out.write(chunk, 0, read);
            }
            out.getFD().sync();
            return unpacked;
        } catch (IOException e) {
            throw disk(target, e);
        }
    }

    private static InputStream entryStream(ZipFile zip, ZipEntry entry) {
        try {
            return zip.getInputStream(entry);
        } catch (IOException e) {
            throw invalid("entry '" + entry.getName() + "' cannot be read: " + e.getMessage());
        }
    }

    private static int readEntry(InputStream in, byte[] chunk, ZipEntry entry) {
        try {
            return in.read(chunk);
        } catch (IOException e) {
            throw invalid("entry '" + entry.getName() + "' cannot be read: " + e.getMessage());
        }
    }

    private static FileOutputStream create(Path target, ZipEntry entry) {
        if (Files.exists(target)) {
            throw invalid("entry '" + entry.getName() + "' clashes with another entry");
        }
        try {
            return new FileOutputStream(target.toFile());
        } catch (IOException e) {
            throw disk(target, e);
        }
    }

    private static ZipFile open(Path zipFile) {
        try {
            return new ZipFile(zipFile.toFile());
        } catch (IOException e) {
            throw invalid("not a ZIP archive (" + e.getMessage() + ")");
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw invalid("a directory entry clashes with a file: " + e.getMessage());
        } catch (IOException e) {
            throw disk(dir, e);
        }
    }

    private static ContentException invalid(String problem) {
        return new ContentException("invalid package: " + problem, Retry.NEVER);
    }

    private static ContentException disk(Path path, IOException e) {
        return new ContentException("cannot write " + path + ": " + e, Retry.LATER, e);
    }
}
