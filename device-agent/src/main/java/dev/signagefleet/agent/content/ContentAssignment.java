package dev.signagefleet.agent.content;

import dev.signagefleet.agent.json.FlatJson;
import dev.signagefleet.agent.json.JsonSyntaxException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * "Show this package": the retained message on {@code cmd/signage/group/{group}/content} or
 * {@code cmd/signage/{deviceId}/content}, parsed and validated once where it enters.
 *
 * <pre>{@code {"v":1,"version":"tokyo-east@3","url":"http://host:8080/content/tokyo-east/3/package.zip",
 *  "sha256":"<64 lowercase hex>","size":12345,"correlationId":"upload-…","traceparent":"00-…"}}</pre>
 *
 * <p>Two assignments are equal when they name the same package (version, url, checksum and size);
 * the correlation id and traceparent only travel with it.
 *
 * @param sha256        64 lowercase hex digits of the package's SHA-256
 * @param size          the package's length in bytes
 * @param correlationId the upload that produced the package, for log lines
 * @param traceparent   W3C trace context, passed on with the download request
 */
public record ContentAssignment(
        ContentVersion version,
        URI url,
        String sha256,
        long size,
        Optional<String> correlationId,
        Optional<String> traceparent) {

    /** The payload format this agent reads (the {@code v} member). */
    public static final int FORMAT_VERSION = 1;
    /** Assignments are a few hundred bytes; anything far larger is not one. */
    static final int MAX_PAYLOAD_BYTES = 16 * 1024;
    static final int MAX_URL_LENGTH = 2048;
    static final int MAX_TEXT_LENGTH = 256;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ContentAssignment {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(traceparent, "traceparent");
    }

    /**
     * The assignment in a message payload; empty for a zero-byte payload, which on the device topic
     * means "no device-specific assignment" (a cleared retained message).
     *
     * @throws InvalidAssignmentException naming the member at fault
     */
    public static Optional<ContentAssignment> fromPayload(byte[] payload) {
        if (payload.length == 0) {
            return Optional.empty();
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new InvalidAssignmentException("payload of " + payload.length + " bytes, expected at most " + MAX_PAYLOAD_BYTES);
        }
        Map<String, FlatJson.Value> members;
        try {
            members = FlatJson.parse(utf8(payload));
        } catch (JsonSyntaxException e) {
            throw new InvalidAssignmentException("not a JSON object: " + e.getMessage(), e);
        }
        return Optional.of(from(members));
    }

    private static ContentAssignment from(Map<String, FlatJson.Value> members) {
        Optional<Long> format = optionalWhole(members, "v");
        if (format.isPresent() && format.get() != FORMAT_VERSION) {
            throw new InvalidAssignmentException("v: format " + format.get() + " is not supported, expected " + FORMAT_VERSION);
        }
        String versionText = requiredText(members, "version", MAX_TEXT_LENGTH);
        ContentVersion version = ContentVersion.parse(versionText).orElseThrow(() -> new InvalidAssignmentException(
                "version: expected {group}@{number} like tokyo-east@3, was '" + versionText + "'"));
        URI url = url(requiredText(members, "url", MAX_URL_LENGTH));
        String sha256 = requiredText(members, "sha256", MAX_TEXT_LENGTH);
        if (!SHA256.matcher(sha256).matches()) {
            throw new InvalidAssignmentException("sha256: expected 64 lowercase hex digits, was '" + shorten(sha256) + "'");
        }
        long size = optionalWhole(members, "size").orElseThrow(() -> missing("size"));
        if (size < 1) {
            throw new InvalidAssignmentException("size: expected a positive number of bytes, was " + size);
        }
        return new ContentAssignment(version, url, sha256, size, optionalText(members, "correlationId", MAX_TEXT_LENGTH),
                optionalText(members, "traceparent", MAX_TEXT_LENGTH));
    }

    private static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidAssignmentException("payload is not UTF-8 text", e);
        }
    }

    private static URI url(String text) {
        try {
            URI url = new URI(text);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
                throw new InvalidAssignmentException("url: expected an absolute http:// or https:// URL, was '" + shorten(text) + "'");
            }
            if (url.getRawUserInfo() != null) {
                // the device credential is added by the agent; a URL carrying one would leak it into logs
                throw new InvalidAssignmentException("url: must not contain a user name or password");
            }
            return url;
        } catch (URISyntaxException e) {
            throw new InvalidAssignmentException("url: " + e.getMessage(), e);
        }
    }

    private static String requiredText(Map<String, FlatJson.Value> members, String name, int maxLength) {
        return optionalText(members, name, maxLength).orElseThrow(() -> missing(name));
    }

    /** A string member; absent or null is empty, any other type is an error. */
    private static Optional<String> optionalText(Map<String, FlatJson.Value> members, String name, int maxLength) {
        FlatJson.Value value = members.get(name);
        if (value == null || value instanceof FlatJson.Null) {
            return Optional.empty();
        }
        if (value instanceof FlatJson.Text text) {
            if (text.value().length() > maxLength) {
                throw new InvalidAssignmentException(name + ": too long (" + text.value().length() + " characters)");
            }
            return Optional.of(text.value());
        }
        throw new InvalidAssignmentException(name + ": expected a string, was " + describe(value));
    }

    private static Optional<Long> optionalWhole(Map<String, FlatJson.Value> members, String name) {
        FlatJson.Value value = members.get(name);
        if (value == null || value instanceof FlatJson.Null) {
            return Optional.empty();
        }
        if (value instanceof FlatJson.Num number) {
            return Optional.of(number.wholeNumber().orElseThrow(() -> new InvalidAssignmentException(
                    name + ": expected a whole number, was " + number.literal())));
        }
        throw new InvalidAssignmentException(name + ": expected a number, was " + describe(value));
    }

    private static InvalidAssignmentException missing(String name) {
        return new InvalidAssignmentException(name + ": required");
    }

    private static String describe(FlatJson.Value value) {
        if (value instanceof FlatJson.Text) {
            return "a string";
        }
        if (value instanceof FlatJson.Bool) {
            return "a boolean";
        }
        return value instanceof FlatJson.Num ? "a number" : "an object or array";
    }

    private static String shorten(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }

    /** {@code tokyo-east@3 (correlation upload-42)}: how log lines name it. */
    public String describeForLog() {
        return version + correlationId.map(id -> " (correlation " + id + ")").orElse("");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ContentAssignment that && version.equals(that.version) && url.equals(that.url)
                && sha256.equals(that.sha256) && size == that.size;
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, url, sha256, size);
    }
}
