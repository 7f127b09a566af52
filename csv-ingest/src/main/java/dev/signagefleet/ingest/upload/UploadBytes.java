package dev.signagefleet.ingest.upload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bytes of one upload, which may have to be read more than once: the first read checks repeated
 * slide ids with the database's key and remembers none of them; when that read cannot decide, the
 * exact check reads the same bytes again (see {@link UploadService}). A file is simply opened again;
 * a stream is copied to a temporary file while the first read goes, and the later reads get that
 * copy. Closing deletes the copy.
 */
abstract sealed class UploadBytes implements AutoCloseable {

    /** Name prefix of the temporary copies, in {@code java.io.tmpdir}. */
    static final String COPY_PREFIX = "signage-upload-copy-";

    /** The bytes, from the start, for the first read. */
    abstract InputStream first() throws IOException;

    /** The bytes again, from the start, after the first read stopped wherever it stopped; as often as needed. */
    abstract InputStream again() throws IOException;

    @Override
    public abstract void close();

    static UploadBytes of(Path file) {
        return new FromFile(file);
    }

    /** A stream that can be read once: a copy is kept in a temporary file for a second read. */
    static UploadBytes copying(InputStream stream) {
        return new Copied(stream);
    }

    private static final class FromFile extends UploadBytes {
        private final Path file;

        FromFile(Path file) {
            this.file = file;
        }

        @Override
        InputStream first() throws IOException {
            return Files.newInputStream(file);
        }

        @Override
        InputStream again() throws IOException {
            return Files.newInputStream(file);
        }

        @Override
        public void close() {
        }
    }

    private static final class Copied extends UploadBytes {
        private final InputStream stream;
        private Path copy;
        private OutputStream out;
        private InputStream teed;

        Copied(InputStream stream) {
            this.stream = stream;
        }

        @Override
        InputStream first() throws IOException {
            copy = Files.createTempFile(COPY_PREFIX, ".csv");
            out = Files.newOutputStream(copy);
            teed = new FilterInputStream(stream) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        keep(new byte[] {(byte) b}, 0, 1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int off, int len) throws IOException {
                    int n = super.read(buffer, off, len);
                    if (n > 0) {
                        keep(buffer, off, n);
                    }
                    return n;
                }

                @Override
                public long skip(long n) throws IOException {
                    // every byte must reach the copy
                    return read(new byte[(int) Math.min(n, 8192)]);
                }

                @Override
                public void close() {
                }
            };
            return teed;
        }

        private void keep(byte[] buffer, int off, int len) throws IOException {
            try {
                out.write(buffer, off, len);
            } catch (IOException e) {
                throw new IOException("could not keep a copy of the upload in " + copy + " for a second read ("
                        + e.getMessage() + "); free space in the temporary directory " + copy.getParent(), e);
            }
        }

        private boolean complete;

        @Override
        InputStream again() throws IOException {
            if (!complete) {
                // the rest of the stream, which the first read left unread, still belongs to the copy
                teed.transferTo(OutputStream.nullOutputStream());
                out.close();
                complete = true;
            }
            return Files.newInputStream(copy);
        }

        @Override
        public void close() {
            try {
                if (out != null) {
                    out.close();
                }
            } catch (IOException e) {
                // the copy is deleted below anyway
            }
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException e) {
                    org.slf4j.LoggerFactory.getLogger(UploadBytes.class).warn("Could not delete the temporary copy {} of an "
                            + "upload ({}); delete it by hand", copy, e.toString());
                }
            }
        }
    }
}
