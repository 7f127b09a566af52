package dev.signagefleet.launcher.stack;

import java.util.regex.Pattern;

/** Hides secrets that connection URLs may carry before they are printed or logged. */
final class Redact {

    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password|pwd|secret)=[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("//([^/@:]+):[^/@]*@");

    private Redact() {
    }

    static String url(String url) {
        String masked = PASSWORD_PARAM.matcher(url).replaceAll("$1=****");
        return USER_INFO.matcher(masked).replaceAll("//$1:****@");
    }
}
