package dev.signagefleet.common;

/** Finds the message a person needs in a chain of wrapped exceptions. */
public final class Causes {

    private Causes() {
    }

    /** The innermost cause's message (or its class name when it has none). */
    public static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
