package dev.signagefleet.ingest.csv;

/**
 * Which {@code image_url} cells are usable addresses: absolute {@code http://} or {@code https://}
 * URLs with a host, checked by hand (it runs for every row). Refusing other schemes keeps
 * {@code javascript:} and {@code file:} out of the player page.
 */
final class ImageUrls {

    private ImageUrls() {
    }

    /** True for an absolute http(s) URL (trimmed) with a host, an optional port and no spaces. */
    static boolean isHttpUrl(String url) {
        int authority;
        if (url.regionMatches(true, 0, "https://", 0, 8)) {
            authority = 8;
        } else if (url.regionMatches(true, 0, "http://", 0, 7)) {
            authority = 7;
        } else {
            return false;
        }
        int end = authority;
        while (end < url.length() && url.charAt(end) != '/' && url.charAt(end) != '?' && url.charAt(end) != '#') {
            end++;
        }
        int userInfoEnd = url.lastIndexOf('@', end - 1);
        return validHostAndPort(url, userInfoEnd >= authority ? userInfoEnd + 1 : authority, end) && validRest(url, end);
    }

    /** host[:port], where the host is a name (letters of any script, digits, '-', '.', '_') or [IPv6]. */
    private static boolean validHostAndPort(String url, int start, int end) {
        if (start == end) {
            return false;
        }
        int hostEnd;
        if (url.charAt(start) == '[') {
            int close = url.indexOf(']', start);
            if (close < 0 || close >= end || close - start < 3) {
                return false;
            }
            hostEnd = close + 1;
        } else {
            int colon = url.indexOf(':', start);
            hostEnd = colon >= 0 && colon < end ? colon : end;
            if (hostEnd == start) {
                return false;
            }
            for (int i = start; i < hostEnd; i++) {
                char c = url.charAt(i);
                if (!(Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_')) {
                    return false;
                }
            }
        }
        if (hostEnd == end) {
            return true;
        }
        return url.charAt(hostEnd) == ':' && validPort(url, hostEnd + 1, end);
    }

    private static boolean validPort(String url, int start, int end) {
        if (end == start || end - start > 5) {
            return false;
        }
        int port = 0;
        for (int i = start; i < end; i++) {
            char c = url.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port > 0 && port <= 65535;
    }

    /** Path, query and fragment: no spaces, control characters, or characters that end an HTML attribute. */
    private static boolean validRest(String url, int start) {
        for (int i = start; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c == 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`' || c == '\u3000') {
                return false;
            }
        }
        return true;
    }
}
