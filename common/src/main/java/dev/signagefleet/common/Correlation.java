package dev.signagefleet.common;

import org.slf4j.MDC;

/**
 * The correlation id on this thread's log lines (MDC key {@code cid}) for the length of a
 * try-with-resources block; what was there before (e.g. a request id) comes back at its end.
 */
public final class Correlation implements AutoCloseable {

    /** The MDC key the log pattern prints. */
    public static final String MDC_KEY = "cid";

    private final String previous;

    private Correlation(String previous) {
        this.previous = previous;
    }

    /** Puts {@code correlationId} on the log lines until {@link #close()}; null changes nothing. */
    public static Correlation scope(String correlationId) {
        String previous = MDC.get(MDC_KEY);
        if (correlationId != null) {
            MDC.put(MDC_KEY, correlationId);
        }
        return new Correlation(previous);
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, previous);
        }
    }
}
