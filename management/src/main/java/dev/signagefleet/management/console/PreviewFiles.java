package dev.signagefleet.management.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the console's preview of a content package may serve, and how: which names are entries (never
 * a way out of the package), their content types, and the Content-Security-Policy of each response.
 * The player page is the builder's own static page with an inline script and style; the policy lets
 * exactly those run (by hash, in a sandbox without the console's origin), load the package's other
 * files, and show slide images from the web as a terminal does, and nothing else: no requests to the
 * API, no forms, no framing by another site.
 */
final class PreviewFiles {

    static final int MAX_NAME = 255;
    /** Larger pages are served without their inline script and style (a player page is a few KB). */
    static final int MAX_HASHED_HTML = 2 * 1024 * 1024;

    private static final Pattern INLINE = Pattern.compile("<(script|style)(\\s[^>]*)?>(.*?)</\\1\\s*>",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern SRC = Pattern.compile("\\ssrc\\s*=", Pattern.CASE_INSENSITIVE);
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("webm", "video/webm"));

    private PreviewFiles() {
    }

    /**
     * The package entry a requested path names, or empty when it could name anything outside the
     * package or is no plain relative name: {@code ..} and {@code .} segments, absolute paths, drive
     * letters, backslashes, empty segments and control characters are refused.
     */
    static Optional<String> entryName(String path) {
        if (path == null || path.isEmpty() || path.length() > MAX_NAME || path.startsWith("/") || path.indexOf('\\') >= 0
                || path.matches("^[A-Za-z]:.*") || path.chars().anyMatch(Character::isISOControl)) {
            return Optional.empty();
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return Optional.empty();
            }
        }
        return Optional.of(path);
    }

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(extension, "application/octet-stream");
    }

    static boolean isHtml(String name) {
        return contentType(name).startsWith("text/html");
    }

    /** The policy of a preview response; {@code html} is the page's text, or null for any other file. */
    static String policy(String html) {
        List<String> scripts = new ArrayList<>();
        List<String> styles = new ArrayList<>();
        if (html != null) {
            Matcher m = INLINE.matcher(html);
            while (m.find()) {
                boolean script = m.group(1).equalsIgnoreCase("script");
                if (script && m.group(2) != null && SRC.matcher(m.group(2)).find()) {
                    continue;
                }
                (script ? scripts : styles).add("'" + sha256(m.group(3)) + "'");
            }
        }
        // Without allow-same-origin the page has an opaque origin even when opened on its own, so
        // it can never act as the signed-in console user.
        return "sandbox allow-scripts; default-src 'none'; script-src 'self'" + join(scripts) + "; style-src 'self'"
                + join(styles) + "; img-src 'self' data: https: http:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";
    }

    /** The CSP hash source of an inline element's text, as the browser computes it (newlines normalised by the parser). */
    static String sha256(String text) {
        String normalised = text.replace("\r\n", "\n").replace('\r', '\n');
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(normalised.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String join(List<String> sources) {
        return sources.isEmpty() ? "" : " " + String.join(" ", sources.stream().distinct().toList());
    }
}
