package dev.signagefleet.common.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Typed reads of configuration keys from one source (environment variables, a properties file,
 * command-line overrides). Every failed read names the key, so a broken config is easy to fix.
 */
public final class Settings {

    private final Function<String, String> source;

    private Settings(Function<String, String> source) {
        this.source = source;
    }

    public static Settings fromEnvironment() {
        return new Settings(System::getenv);
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values::get);
    }

    /** Values in {@code first} win over values in {@code fallback}. */
    public static Settings layered(Settings first, Settings fallback) {
        return new Settings(key -> {
            String value = first.source.apply(key);
            return value != null ? value : fallback.source.apply(key);
        });
    }

    public Optional<String> optional(String key) {
        String value = source.apply(key);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(value.trim());
    }

    public String string(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    public String required(String key) {
        return optional(key).orElseThrow(() -> new ConfigException(key, "is required but not set"));
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw new ConfigException(key, "must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "must be a whole number, was '" + raw.get() + "'");
        }
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(raw.get());
            if (value < min || value > max) {
                throw new ConfigException(key, "must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "must be a whole number, was '" + raw.get() + "'");
        }
    }

    /** A duration in whole seconds. */
    public Duration seconds(String key, Duration defaultValue, Duration min, Duration max) {
        long value = longValue(key, defaultValue.toSeconds(), min.toSeconds(), max.toSeconds());
        return Duration.ofSeconds(value);
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase()) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException(key, "must be true or false, was '" + raw.get() + "'");
        };
    }
}
