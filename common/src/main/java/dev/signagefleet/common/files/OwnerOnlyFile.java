package dev.signagefleet.common.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Writes files that hold secrets (passwords, credentials): readable by their owner only from the first byte. */
public final class OwnerOnlyFile {

    private OwnerOnlyFile() {
    }

    /**
     * Writes {@code text} to a new temporary file created with owner-only permissions next to
     * {@code target}, then moves it into place, so no other user ever sees the content.
     */
    public static void write(Path target, String text) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp;
        try {
            FileAttribute<Set<PosixFilePermission>> ownerOnly =
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
            temp = Files.createTempFile(dir, ".secret-", ".tmp", ownerOnly);
        } catch (UnsupportedOperationException e) {
            temp = Files.createTempFile(dir, ".secret-", ".tmp"); // not POSIX (Windows): the folder's permissions apply
        } catch (FileAlreadyExistsException e) {
            throw new IOException("cannot create a temporary file in " + dir, e);
        }
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
