package dev.signagefleet.common.config;

import dev.signagefleet.common.SignageException;

/** A configuration value is missing or malformed; the message names the key and what it expects. */
public class ConfigException extends SignageException {

    private final String key;

    public ConfigException(String key, String message) {
        super(key + ": " + message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
