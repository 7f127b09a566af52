package dev.signagefleet.management.alerts;

import java.net.URI;
import java.time.Instant;

/** A receiver of alerts (its secret is not part of this view; it is shown once, when created). */
public record Webhook(long id, String url, boolean enabled, String createdBy, Instant createdAt) {

    /**
     * The URL without path and query, for logs and viewers: many services (chat webhooks among them)
     * put their access token there.
     */
    public String redactedUrl() {
        return redact(url);
    }

    static String redact(String url) {
        try {
            URI uri = URI.create(url);
            String rest = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                    && uri.getRawQuery() == null ? "/" : "/…";
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort()) + rest;
        } catch (IllegalArgumentException e) {
            return "(unreadable URL)";
        }
    }
}
