package dev.signagefleet.agent.logging;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers which bad local conditions (an unreadable sensor, a full disk) are currently known, so
 * that a lasting fault gives one log line when it starts and one when it ends, not one per heartbeat.
 */
public final class ConditionLog {

    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    /** Records that {@code condition} failed; true only when it was not failing before (log it then). */
    public boolean failed(String condition) {
        return failing.add(condition);
    }

    /** Records that {@code condition} is fine; true only when it was failing before (log the recovery then). */
    public boolean recovered(String condition) {
        return failing.remove(condition);
    }
}
