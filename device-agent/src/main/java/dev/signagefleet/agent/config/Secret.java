package dev.signagefleet.agent.config;

import java.util.Objects;

/** A secret configuration value that never shows itself in logs or printed configuration. */
public record Secret(String value) {

    public Secret {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "(empty)" : "****";
    }
}
