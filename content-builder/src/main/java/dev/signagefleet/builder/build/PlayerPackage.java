package dev.signagefleet.builder.build;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.signagefleet.builder.version.ContentVersion;
import dev.signagefleet.common.json.Json;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The package a terminal downloads: a ZIP with {@code manifest.json} (the slides, machine-readable),
 * {@code slides.js} (the same data for the page, which browsers load from local files where they
 * refuse to fetch JSON) and {@code index.html} (the self-contained player).
 */
public final class PlayerPackage {

    private PlayerPackage() {
    }

    /** Supplies the slides of the package, in order, to the sink it is given. */
    @FunctionalInterface
    public interface SlideSource {
        void forEach(Consumer<Slide> sink);
    }

    /**
     * A package's manifest in a temporary file: its slides read once, ready to be zipped (by
     * {@link #zip}, on any thread). Closing it deletes the file.
     */
    public record Manifest(Path file, int slides) implements AutoCloseable {
        @Override
        public void close() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete the temporary manifest " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Writes the package to {@code out}.
     *
     * @return the number of slides in it
     * @throws PackageTooLargeException when it would exceed {@code maxBytes}
     */
    public static int write(OutputStream out, ContentVersion version, UUID uploadId, Instant builtAt, long maxBytes,
                            SlideSource slides) throws IOException {
        try (Manifest manifest = manifest(version, uploadId, builtAt, slides)) {
            zip(out, manifest, maxBytes);
            return manifest.slides();
        }
    }

    /** Reads the slides once into a manifest (the part of a package that needs the database). */
    public static Manifest manifest(ContentVersion version, UUID uploadId, Instant builtAt, SlideSource slides) throws IOException {
        Path file = Files.createTempFile("manifest-", ".json");
        try (OutputStream out = Files.newOutputStream(file)) {
            return new Manifest(file, writeManifest(out, version, uploadId, builtAt, slides));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /**
     * Writes the package of a manifest to {@code out} (the part of a package that needs CPU: the
     * manifest is compressed twice, as manifest.json and as slides.js).
     *
     * @throws PackageTooLargeException when it would exceed {@code maxBytes}
     */
    public static void zip(OutputStream out, Manifest manifest, long maxBytes) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(new Limited(out, maxBytes))) {
            zip.putNextEntry(new ZipEntry("manifest.json"));
            Files.copy(manifest.file(), zip);
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("slides.js"));
            zip.write("window.SIGNAGE_MANIFEST = ".getBytes(StandardCharsets.UTF_8));
            Files.copy(manifest.file(), zip);
            zip.write(";\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("index.html"));
            try (InputStream page = PlayerPackage.class.getResourceAsStream("index.html")) {
                if (page == null) {
                    throw new IllegalStateException("the player page is missing from the content-builder jar");
                }
                page.transferTo(zip);
            }
            zip.closeEntry();
        }
    }

    private static int writeManifest(OutputStream out, ContentVersion version, UUID uploadId, Instant builtAt,
                                     SlideSource slides) throws IOException {
        int[] count = {0};
        try (JsonGenerator json = Json.mapper().getFactory().createGenerator(out)) {
            // "</" could end the page's script element: always escape it in slides.js.
            json.setCharacterEscapes(new HtmlSafeEscapes());
            json.writeStartObject();
            json.writeNumberField("v", 1);
            json.writeStringField("group", version.group());
            json.writeStringField("version", version.toString());
            json.writeStringField("uploadId", uploadId.toString());
            json.writeStringField("builtAt", builtAt.toString());
            json.writeArrayFieldStart("slides");
            slides.forEach(slide -> {
                try {
                    json.writeStartObject();
                    json.writeStringField("slideId", slide.slideId());
                    json.writeStringField("title", slide.title());
                    json.writeStringField("body", slide.body());
                    json.writeStringField("imageUrl", slide.imageUrl());
                    json.writeNumberField("durationSec", slide.durationSec());
                    json.writeStringField("startAt", slide.startAt() == null ? null : slide.startAt().toString());
                    json.writeStringField("endAt", slide.endAt() == null ? null : slide.endAt().toString());
                    json.writeNumberField("priority", slide.priority());
                    json.writeEndObject();
                    count[0]++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            json.writeEndArray();
            json.writeEndObject();
        }
        return count[0];
    }

    /** JSON escapes that also make the text safe inside an HTML script element. */
    private static final class HtmlSafeEscapes extends com.fasterxml.jackson.core.io.CharacterEscapes {
        private final int[] escapes;

        HtmlSafeEscapes() {
            escapes = standardAsciiEscapesForJSON();
            escapes['<'] = ESCAPE_STANDARD;
            escapes['>'] = ESCAPE_STANDARD;
            escapes['&'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public com.fasterxml.jackson.core.SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }

    /** Stops a package that grows past the limit, so a huge upload cannot fill the disk. */
    private static final class Limited extends FilterOutputStream {
        private final long max;
        private long written;

        Limited(OutputStream out, long max) {
            super(out);
            this.max = max;
        }

        @Override
        public void write(int b) throws IOException {
            count(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count(len);
            out.write(b, off, len);
        }

        private void count(long n) {
            written += n;
            if (written > max) {
                throw new PackageTooLargeException(max);
            }
        }
    }
}
