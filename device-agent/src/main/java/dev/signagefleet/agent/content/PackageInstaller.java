package dev.signagefleet.agent.content;

import dev.signagefleet.agent.content.ContentException.Retry;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The blocking half of taking an assignment: download, verify, unpack and install the package under
 * {@code versions/}, ready to be switched to. Runs on a content worker; the switch itself is left to
 * the agent's serial executor, which knows whether the package is still wanted.
 */
final class PackageInstaller {

    /** Free space needed per package byte: the download plus (about) its unpacked copy. */
    static final int SPACE_PER_PACKAGE_BYTE = 2;

    /** What became of one attempt. */
    sealed interface Outcome permits Installed, Failed {
    }

    /** The package is complete in {@code dir}. */
    record Installed(Path dir) implements Outcome {
    }

    record Failed(ContentException cause) implements Outcome {
    }

    private final ContentStore store;
    private final PackageDownloader downloader;
    private final PackageUnpacker unpacker;
    private final long maxPackageBytes;

    PackageInstaller(ContentStore store, PackageDownloader downloader, PackageUnpacker unpacker, long maxPackageBytes) {
        this.store = Objects.requireNonNull(store, "store");
        this.downloader = Objects.requireNonNull(downloader, "downloader");
        this.unpacker = Objects.requireNonNull(unpacker, "unpacker");
        this.maxPackageBytes = maxPackageBytes;
    }

    Outcome install(ContentAssignment assignment, BooleanSupplier cancelled) {
        if (assignment.size() > maxPackageBytes) {
            return new Failed(new ContentException("package of " + assignment.size() + " bytes exceeds content.max.bytes ("
                    + maxPackageBytes + ")", Retry.NEVER));
        }
        Path work = null;
        try {
            work = store.newWorkDir();
            store.requireSpace(assignment.size() * SPACE_PER_PACKAGE_BYTE);
            Path zip = work.resolve("package.zip");
            downloader.download(assignment, zip, cancelled);
            Path unpacked = work.resolve("unpacked");
            unpacker.unpack(zip, unpacked);
            return new Installed(store.install(assignment.version(), unpacked));
        } catch (ContentException e) {
            return new Failed(e);
        } catch (RuntimeException e) {
            // a bug must not leave the terminal waiting for an answer that never comes
            return new Failed(new ContentException("unexpected failure: " + e, Retry.LATER, e));
        } finally {
            if (work != null) {
                ContentStore.deleteQuietly(work);
            }
        }
    }
}
