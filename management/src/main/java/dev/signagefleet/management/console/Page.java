package dev.signagefleet.management.console;

import dev.signagefleet.management.auth.ConsoleUsers;
import dev.signagefleet.management.auth.Role;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * What every console page needs besides its own data: who is signed in, the CSRF token for its
 * forms, the language, the time zone times are shown in, and which menu entry is active.
 *
 * @param user   null on the login page
 * @param csrf   the session's CSRF token (empty when signed out)
 * @param notice a one-line message to show on top (after an action), or null
 * @param here   this page's path and query, to come back to (after switching language)
 */
public record Page(String title, String active, ConsoleUsers.User user, String csrf, Messages m, ZoneId zone,
                   String notice, String here) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    public String t(String key) {
        return m.t(key);
    }

    public String t(String key, Object... args) {
        return m.t(key, args);
    }

    public String lang() {
        return m.language();
    }

    public boolean admin() {
        return user != null && user.role() == Role.ADMIN;
    }

    /** A time in the console's zone, or a dash. */
    public String time(Instant instant) {
        return instant == null ? "–" : TIME.format(instant.atZone(zone));
    }

    /** ISO-8601, for the {@code datetime} attribute of {@code <time>}. */
    public String iso(Instant instant) {
        return instant == null ? "" : instant.toString();
    }

    /** "3 min ago" style: how long ago an instant was, relative to {@code now}. */
    public String ago(Instant instant, Instant now) {
        if (instant == null) {
            return "–";
        }
        long s = Math.max(0, Duration.between(instant, now).getSeconds());
        if (s < 60) {
            return m.t("time.secondsAgo", s);
        }
        if (s < 3600) {
            return m.t("time.minutesAgo", s / 60);
        }
        if (s < 86_400) {
            return m.t("time.hoursAgo", s / 3600);
        }
        return m.t("time.daysAgo", s / 86_400);
    }

    /** A charset as people know it: Windows-31J is what Excel in Japan calls Shift_JIS. */
    public static String charset(String name) {
        if (name == null) {
            return "–";
        }
        return name.equalsIgnoreCase("windows-31j") ? "Shift_JIS (Windows-31J)" : name;
    }

    public static String url(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }

    public Page withNotice(String text) {
        return new Page(title, active, user, csrf, m, zone, text, here);
    }
}
