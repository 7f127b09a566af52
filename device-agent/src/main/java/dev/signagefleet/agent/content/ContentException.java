package dev.signagefleet.agent.content;

import dev.signagefleet.agent.AgentException;
import java.util.Objects;

/**
 * A content package that could not be put on screen: why (one line, e.g. {@code sha256 mismatch
 * (expected …, got …)}) and whether trying the same assignment again can help.
 */
public class ContentException extends AgentException {

    /** What trying the same assignment again can achieve. */
    public enum Retry {
        /** A passing problem (network, 5xx, 429): again soon, with backoff and jitter. */
        SOON,
        /** Refused or a local condition (401/403/404, disk): again on a slow schedule. */
        LATER,
        /** The package itself is wrong (checksum, size, zip): only another assignment can fix it. */
        NEVER
    }

    private final Retry retry;

    public ContentException(String reason, Retry retry) {
        this(reason, retry, null);
    }

    public ContentException(String reason, Retry retry, Throwable cause) {
        super(Objects.requireNonNull(reason, "reason"), cause);
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    /** The one-line reason, as reported in {@code contentError} after the version. */
    public String reason() {
        return getMessage();
    }

    public Retry retry() {
        return retry;
    }
}
