package dev.signagefleet.management.alerts;

import dev.signagefleet.common.SignageException;

/** A rule or webhook that cannot be stored as given; names the field and why. */
public final class InvalidAlertSettingException extends SignageException {

    private final String field;

    public InvalidAlertSettingException(String field, String detail) {
        super(field + ": " + detail);
        this.field = field;
    }

    /** The form field at fault: {@code kind}, {@code group}, {@code threshold} or {@code url}. */
    public String field() {
        return field;
    }
}
