package dev.signagefleet.management.http;

import dev.signagefleet.management.problem.ApiException;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Reads query parameters at the edge, failing with a problem that names the parameter. */
public final class QueryParams {

    private static final java.util.regex.Pattern CONTROL = java.util.regex.Pattern.compile("\\p{Cntrl}");
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private QueryParams() {
    }

    /** The route's numeric {@code {id}}; anything else is simply not found ({@code what} names the resource). */
    public static long pathId(Context ctx, String what) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound(what, ctx.pathParam("id"));
        }
    }

    public static String text(Context ctx, String name, int maxLength) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > maxLength) {
            throw ApiException.badRequest(name, name + " must be at most " + maxLength + " characters");
        }
        if (CONTROL.matcher(value).find()) {
            throw ApiException.badRequest(name, name + " must not contain control characters");
        }
        return value.trim();
    }

    public static int integer(Context ctx, String name, int defaultValue, int min, int max) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                throw ApiException.badRequest(name, name + " must be between " + min + " and " + max + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, name + " must be a whole number, was '" + value + "'");
        }
    }

    public static Instant instant(Context ctx, String name, Instant defaultValue) {
        String value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            Instant instant = OffsetDateTime.parse(value.trim()).toInstant();
            if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
                throw ApiException.badRequest(name, name + " must be between 1970 and 9999, was '" + value + "'");
            }
            return instant;
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name, name + " must be an ISO-8601 time such as 2026-11-24T09:00:00Z, was '" + value + "'");
        }
    }
}
