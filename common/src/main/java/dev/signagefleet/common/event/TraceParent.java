package dev.signagefleet.common.event;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** W3C Trace Context {@code traceparent} values: a new trace, or a child span of an existing one. */
public final class TraceParent {

    private static final Pattern FORMAT = Pattern.compile("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private TraceParent() {
    }

    public static String newTrace() {
        return "00-" + randomHex(16) + "-" + randomHex(8) + "-01";
    }

    /** A new span in the same trace, or a new trace when the parent is missing or malformed. */
    public static String childOf(String parent) {
        if (parent == null || !FORMAT.matcher(parent).matches()) {
            return newTrace();
        }
        return parent.substring(0, 36) + randomHex(8) + parent.substring(52);
    }

    public static boolean isValid(String value) {
        return value != null && FORMAT.matcher(value).matches();
    }

    private static String randomHex(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return HEX.formatHex(buffer);
    }
}
