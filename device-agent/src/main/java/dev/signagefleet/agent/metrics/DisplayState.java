package dev.signagefleet.agent.metrics;

import java.util.Locale;

/** Whether the terminal's screen is showing content, as reported in the status {@code display} field. */
public enum DisplayState {
    ON,
    OFF,
    UNKNOWN;

    /** The value on the wire: {@code on}, {@code off} or {@code unknown}. */
    public String wireValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code on}/{@code off} in any case and surrounding blanks; anything else is {@link #UNKNOWN}. */
    public static DisplayState parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "on" -> ON;
            case "off" -> OFF;
            default -> UNKNOWN;
        };
    }
}
