package dev.signagefleet.management.alerts;

import java.util.Locale;

/** What an alert rule watches for. */
public enum AlertKind {
    /** A device offline for at least the rule's threshold (one alert per offline period). */
    DEVICE_OFFLINE(true),
    /** A device that had an offline alert is online again. */
    DEVICE_ONLINE(false),
    /** A device out of sync with its group's content for at least the rule's threshold. */
    CONTENT_OUT_OF_SYNC(true),
    /** An upload ended FAILED (rejected, or its build failed). */
    UPLOAD_FAILED(false);

    private final boolean needsThreshold;

    AlertKind(boolean needsThreshold) {
        this.needsThreshold = needsThreshold;
    }

    /** Whether a rule of this kind says how long its condition must hold. */
    public boolean needsThreshold() {
        return needsThreshold;
    }

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AlertKind fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Parses a form or API value such as {@code device_offline}; null when it is not one. */
    public static AlertKind parseOrNull(String value) {
        for (AlertKind k : values()) {
            if (k.dbValue().equals(value)) {
                return k;
            }
        }
        return null;
    }
}
