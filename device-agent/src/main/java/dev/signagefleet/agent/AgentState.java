package dev.signagefleet.agent;

import java.util.Optional;
import java.util.UUID;

/**
 * A read-only snapshot of one agent, for the simulator's screens and for tests.
 *
 * @param connected       connected, subscribed and announced online
 * @param lastSeq         seq of the latest status made in this boot (0 before the first)
 * @param bufferedCount   statuses waiting for a PUBACK (on disk or in memory)
 * @param droppedCount    statuses of this boot dropped because the buffer was full
 * @param refusedCount    statuses of this boot the broker refused (PUBACK reason code 128 or more), dropped
 * @param lastRefusal     the latest refusal, e.g. "reason code 135 on dt/signage/x/status"; empty when none
 * @param connectionCount successful connections in this boot
 * @param lastError       why the latest connect failed or the latest connection ended; empty while connected
 */
public record AgentState(
        String deviceId,
        UUID bootId,
        Lifecycle lifecycle,
        boolean connected,
        long lastSeq,
        int bufferedCount,
        long droppedCount,
        long refusedCount,
        Optional<String> lastRefusal,
        int connectionCount,
        Optional<String> lastError) {

    /** Where the agent is in its life; it cannot be started again once stopped. */
    public enum Lifecycle {
        NEW,
        RUNNING,
        STOPPED
    }
}
