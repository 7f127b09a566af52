package dev.signagefleet.agent.content;

import dev.signagefleet.agent.config.Secret;
import dev.signagefleet.agent.content.ContentException.Retry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * Fetches a content package over HTTP(S) into a file and checks it against its assignment: never
 * more bytes than announced, then exactly the announced size and SHA-256. Authenticates with HTTP
 * Basic {@code deviceId:mqtt.password}, the device credential, sent only to the assignment URL's
 * own origin (a redirect elsewhere, e.g. to a CDN, does not get it). Blocking: runs on a content
 * worker, never on the agent's serial executor. {@link HttpURLConnection} rather than
 * {@code java.net.http.HttpClient}, because it uses the calling thread only and a simulator runs
 * a thousand agents.
 */
public final class PackageDownloader {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Longest silence while reading; a stalled transfer then counts as a passing failure. */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    static final int MAX_REDIRECTS = 5;
    private static final int CHUNK = 64 * 1024;

    private final Optional<String> authorization;
    private final Optional<SSLSocketFactory> tls;
    private final String userAgent;

    /**
     * @param password the device's MQTT password; without one no credential is sent
     * @param tls      for https: the socket factory of the MQTT connection (its CA), else the JVM's default
     */
    public PackageDownloader(String deviceId, Optional<Secret> password, Optional<SSLSocketFactory> tls, String userAgent) {
        Objects.requireNonNull(deviceId, "deviceId");
        this.authorization = password.map(secret -> "Basic " + Base64.getEncoder()
                .encodeToString((deviceId + ":" + secret.value()).getBytes(StandardCharsets.UTF_8)));
        this.tls = Objects.requireNonNull(tls, "tls");
        this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
    }

    /**
     * Downloads the package of {@code assignment} into {@code file} (which must not exist) and
     * verifies its size and checksum.
     *
     * @param cancelled polled between chunks; when true the download stops with a {@link Retry#NEVER} failure
     * @throws ContentException saying why, and whether retrying can help
     */
    public void download(ContentAssignment assignment, Path file, BooleanSupplier cancelled) {
        URI location = assignment.url();
        for (int redirects = 0; ; redirects++) {
            HttpURLConnection http = open(location, assignment);
            try {
                int code = responseCode(http, location);
                if (isRedirect(code)) {
                    if (redirects >= MAX_REDIRECTS) {
                        throw new ContentException("more than " + MAX_REDIRECTS + " redirects from " + assignment.url(), Retry.LATER);
                    }
                    location = redirectTarget(location, http.getHeaderField("Location"));
                    continue;
                }
                if (code != HttpURLConnection.HTTP_OK) {
                    throw statusFailure(code, http, location);
                }
                long announced = http.getContentLengthLong();
                if (announced >= 0 && announced != assignment.size()) {
                    throw new ContentException("size mismatch (expected " + assignment.size() + " bytes, server sends "
                            + announced + ")", Retry.NEVER);
                }
                save(http, file, assignment, cancelled);
                return;
            } finally {
                http.disconnect(); // a package every few hours: no connection worth keeping alive
            }
        }
    }

    private HttpURLConnection open(URI location, ContentAssignment assignment) {
        try {
            HttpURLConnection http = (HttpURLConnection) location.toURL().openConnection();
            if (http instanceof HttpsURLConnection https && tls.isPresent()) {
                https.setSSLSocketFactory(tls.get());
            }
            http.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            http.setReadTimeout((int) READ_TIMEOUT.toMillis());
            http.setInstanceFollowRedirects(false); // followed here, so that the credential stays with its origin
            http.setUseCaches(false);
            http.setRequestProperty("User-Agent", userAgent);
            http.setRequestProperty("Accept-Encoding", "identity"); // the checksum is over the package bytes
            if (authorization.isPresent() && sameOrigin(location, assignment.url())) {
                http.setRequestProperty("Authorization", authorization.get());
            }
            assignment.traceparent().ifPresent(traceparent -> http.setRequestProperty("traceparent", traceparent));
            return http;
        } catch (IOException | IllegalArgumentException e) {
            throw new ContentException("cannot open " + location + ": " + e, Retry.SOON, e);
        }
    }

    private static int responseCode(HttpURLConnection http, URI location) {
        try {
            return http.getResponseCode();
        } catch (IOException e) {
            throw new ContentException("cannot fetch from " + location.getHost() + portSuffix(location) + ": " + e, Retry.SOON, e);
        }
    }

    private static boolean isRedirect(int code) {
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }

    private static URI redirectTarget(URI from, String header) {
        if (header == null || header.isBlank()) {
            throw new ContentException("redirect from " + from + " without a Location", Retry.LATER);
        }
        try {
            URI target = from.resolve(new URI(header.trim()));
            String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !(scheme.equals("http") && from.getScheme().equalsIgnoreCase("http"))) {
                throw new ContentException("refusing a redirect from " + from + " to " + target, Retry.LATER);
            }
            return target;
        } catch (URISyntaxException e) {
            throw new ContentException("redirect from " + from + " to an invalid Location: " + e.getMessage(), Retry.LATER, e);
        }
    }

    private static ContentException statusFailure(int code, HttpURLConnection http, URI location) {
        String message = "HTTP " + code + reasonPhrase(http) + " from " + location;
        boolean passing = code == 408 || code == 429 || code >= 500;
        return new ContentException(message, passing ? Retry.SOON : Retry.LATER);
    }

    private static String reasonPhrase(HttpURLConnection http) {
        try {
            String phrase = http.getResponseMessage();
            return phrase == null || phrase.isBlank() ? "" : " " + phrase;
        } catch (IOException e) {
            return "";
        }
    }

    private static void save(HttpURLConnection http, Path file, ContentAssignment assignment, BooleanSupplier cancelled) {
        MessageDigest sha256 = sha256();
        long count = 0;
        byte[] chunk = new byte[CHUNK];
        try (InputStream in = body(http); OutputStream out = create(file)) {
            while (true) {
                if (cancelled.getAsBoolean()) {
                    throw new ContentException("download cancelled", Retry.NEVER);
                }
                int read = read(in, chunk, count, assignment.size());
                if (read < 0) {
                    break;
                }
                count += read;
                if (count > assignment.size()) {
                    throw new ContentException("size mismatch (the body exceeds the announced " + assignment.size()
                            + " bytes; stopped reading)", Retry.NEVER);
                }
                sha256.update(chunk, 0, read);
                write(out, chunk, read, file);
            }
        } catch (IOException e) {
            // closing: a read error was reported above, so this is the file
            throw new ContentException("cannot write " + file + ": " + e, Retry.LATER, e);
        }
        if (count < assignment.size()) {
            throw new ContentException("download broke off after " + count + " of " + assignment.size() + " bytes", Retry.SOON);
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (!actual.equals(assignment.sha256())) {
            throw new ContentException("sha256 mismatch (expected " + assignment.sha256() + ", got " + actual + ")", Retry.NEVER);
        }
    }

    private static InputStream body(HttpURLConnection http) {
        try {
            return http.getInputStream();
        } catch (IOException e) {
            throw new ContentException("download failed: " + e, Retry.SOON, e);
        }
    }

    private static OutputStream create(Path file) {
        try {
            return Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new ContentException("cannot write " + file + ": " + e, Retry.LATER, e);
        }
    }

    private static int read(InputStream in, byte[] chunk, long sofar, long size) {
        try {
            return in.read(chunk);
        } catch (IOException e) {
            throw new ContentException("download broke off after " + sofar + " of " + size + " bytes: " + e, Retry.SOON, e);
        }
    }

    private static void write(OutputStream out, byte[] chunk, int length, Path file) {
        try {
            out.write(chunk, 0, length);
        } catch (IOException e) {
            throw new ContentException("cannot write " + file + ": " + e, Retry.LATER, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static String portSuffix(URI uri) {
        return uri.getPort() >= 0 ? ":" + uri.getPort() : "";
    }
}
