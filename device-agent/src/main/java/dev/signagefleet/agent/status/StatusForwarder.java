package dev.signagefleet.agent.status;

import dev.signagefleet.agent.buffer.StatusBuffer;
import dev.signagefleet.agent.connection.BrokerConnection;
import dev.signagefleet.agent.logging.DeviceLog;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Store and forward: every status goes into the {@link StatusBuffer} first and leaves it only when
 * the broker has acknowledged it. While a connection is ready, buffered statuses are published
 * oldest first, with a small window of unacknowledged ones in flight; they keep their original
 * {@code seq} and {@code sentAt}. When a publish fails, or a new connection becomes ready, sending
 * starts over at the oldest unacknowledged status: a duplicate is harmless (the consumer
 * deduplicates by bootId and seq), a gap is not. Confined to the agent's serial executor.
 */
public final class StatusForwarder {

    /** Unacknowledged statuses on the wire at once: enough to drain a full buffer quickly, far below AWS IoT's 100. */
    public static final int WINDOW = 10;

    private final StatusBuffer buffer;
    private final String topic;
    private final DeviceLog log;
    private final Set<Long> inFlight = new LinkedHashSet<>();
    private BrokerConnection connection;
    /** The newest buffer index published on the current connection; the next publish takes the one after. */
    private long lastSent;
    private volatile long refused;
    private volatile String lastRefusal;

    /** Statuses the broker refused (PUBACK reason code 128 or more); they are dropped, never resent. */
    public long refusedCount() {
        return refused;
    }

    /** The latest refusal, e.g. "reason code 135 on dt/signage/x/status". */
    public Optional<String> lastRefusal() {
        return Optional.ofNullable(lastRefusal);
    }

    public StatusForwarder(StatusBuffer buffer, String deviceId) {
        this.buffer = buffer;
        this.topic = DeviceStatus.topic(deviceId);
        this.log = new DeviceLog(StatusForwarder.class, deviceId);
    }

    /** Buffers a status and sends what the window allows. */
    public void submit(DeviceStatus status) {
        buffer.append(status.toPayload());
        pump();
    }

    /** A connection is ready: resend everything still unacknowledged, oldest first. */
    public void connected(BrokerConnection ready) {
        connection = ready;
        restart();
        if (buffer.size() > 0) {
            log.info("sending " + buffer.size() + " buffered statuses");
        }
        pump();
    }

    public void disconnected() {
        connection = null;
        restart();
    }

    /** Sends again if the window has room; the heartbeat also calls this after a failed publish. */
    public void pump() {
        while (connection != null && inFlight.size() < WINDOW) {
            Optional<Long> next = buffer.firstAfter(lastSent);
            if (next.isEmpty()) {
                return;
            }
            long index = next.get();
            Optional<byte[]> payload = buffer.payload(index);
            lastSent = index;
            if (payload.isEmpty()) {
                continue; // unreadable: the buffer has dropped it
            }
            inFlight.add(index);
            if (!connection.publish(topic, payload.get(), false, new Outcome(index))) {
                return; // Paho would not queue it; its failure resets the window
            }
        }
    }

    private void restart() {
        inFlight.clear();
        lastSent = 0;
    }

    /** What became of the status at one buffer index. */
    private final class Outcome implements BrokerConnection.PublishOutcome {

        private final long index;

        Outcome(long index) {
            this.index = index;
        }

        @Override
        public void acknowledged(BrokerConnection on, int reasonCode) {
            if (reasonCode >= 128) {
                // a refusal is final: resending would be refused forever (and 135 closes the connection)
                log.error("the broker refused the status on " + topic + " with reason code " + reasonCode
                        + (reasonCode == 135 ? " (not authorized: check the device's topic policy)" : "")
                        + "; dropping that status");
                refused++;
                lastRefusal = "reason code " + reasonCode + " on " + topic;
            }
            // acknowledged, even on an older connection: the broker has it (or will never take it)
            buffer.remove(index);
            if (on == connection) {
                inFlight.remove(index);
                pump();
            }
        }

        @Override
        public void failed(BrokerConnection on, Throwable cause) {
            if (on == connection && inFlight.contains(index)) {
                // keep it and everything after it; the next pump (heartbeat or reconnect) starts at the oldest again
                log.debug(() -> "publish of a buffered status failed (" + cause + "); will resend from the oldest");
                restart();
            }
        }
    }
}
