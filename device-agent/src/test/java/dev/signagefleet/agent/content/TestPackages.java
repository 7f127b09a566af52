package dev.signagefleet.agent.content;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Content packages and assignments as the server side makes them, for tests. */
public final class TestPackages {

    private TestPackages() {
    }

    /** A valid package whose page names {@code version}. */
    public static byte[] player(String version) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("manifest.json", "{\"version\":\"" + version + "\",\"slides\":[]}");
        files.put("index.html", page(version));
        files.put("assets/style.css", "body{margin:0}");
        return zip(files);
    }

    public static String page(String version) {
        return "<!doctype html><title>" + version + "</title><p>showing " + version;
    }

    /** A ZIP with these entries, in this order (names taken as they are, including hostile ones). */
    public static byte[] zip(Map<String, String> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The assignment JSON for {@code pkg} served at {@code url}. */
    public static String assignment(String version, String url, byte[] pkg) {
        return assignment(version, url, sha256(pkg), pkg.length);
    }

    public static String assignment(String version, String url, String sha256, long size) {
        return "{\"v\":1,\"version\":\"" + version + "\",\"url\":\"" + url + "\",\"sha256\":\"" + sha256 + "\",\"size\":" + size
                + ",\"correlationId\":\"upload-" + version + "\",\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"}";
    }

    public static ContentAssignment parsed(String json) {
        return ContentAssignment.fromPayload(json.getBytes(StandardCharsets.UTF_8)).orElseThrow();
    }
}
