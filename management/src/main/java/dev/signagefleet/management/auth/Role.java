package dev.signagefleet.management.auth;

import io.javalin.security.RouteRole;
import java.util.Locale;

/** What a console user may do: admins everything, viewers read. */
public enum Role implements RouteRole {
    ADMIN,
    VIEWER;

    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromDb(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    /** Does a user with this role satisfy a route that requires {@code required}? */
    public boolean satisfies(Role required) {
        return this == ADMIN || this == required;
    }
}
