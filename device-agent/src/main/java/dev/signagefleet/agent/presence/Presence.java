package dev.signagefleet.agent.presence;

import dev.signagefleet.agent.json.JsonWriter;
import dev.signagefleet.agent.status.DeviceStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Whether a terminal is online, published retained on {@code dt/signage/{deviceId}/presence}.
 *
 * <p>{@code conn} counts the successful connections of this boot (1, 2, …). The offline message
 * with reason {@code connection-lost} is the Last Will, registered when the connection is opened,
 * so its {@code at} is when that connection was opened, not when it was lost. Consumers therefore
 * order presence of one boot by {@code conn} (then online before offline), not by {@code at}.
 *
 * @param conn   the connection this message is about
 * @param reason {@link Reason}
 */
public record Presence(String deviceId, UUID bootId, State state, Instant at, int conn, Reason reason) {

    public static final int FORMAT_VERSION = 1;

    /** Online or offline. */
    public enum State {
        ONLINE("online"),
        OFFLINE("offline");

        private final String wire;

        State(String wire) {
            this.wire = wire;
        }

        public String wireValue() {
            return wire;
        }
    }

    /** Why the state is what it is. */
    public enum Reason {
        /** Online: the connection is up. */
        CONNECTED("connected"),
        /** Offline: the agent stopped cleanly and said so itself. */
        SHUTDOWN("shutdown"),
        /** Offline: the Last Will, published by the broker when the connection broke. */
        CONNECTION_LOST("connection-lost");

        private final String wire;

        Reason(String wire) {
            this.wire = wire;
        }

        public String wireValue() {
            return wire;
        }
    }

    public Presence {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(bootId, "bootId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
    }

    public static Presence online(String deviceId, UUID bootId, Instant at, int conn) {
        return new Presence(deviceId, bootId, State.ONLINE, at, conn, Reason.CONNECTED);
    }

    /** The Last Will of connection {@code conn}, opened at {@code openedAt}. */
    public static Presence lastWill(String deviceId, UUID bootId, Instant openedAt, int conn) {
        return new Presence(deviceId, bootId, State.OFFLINE, openedAt, conn, Reason.CONNECTION_LOST);
    }

    public static Presence shutdown(String deviceId, UUID bootId, Instant at, int conn) {
        return new Presence(deviceId, bootId, State.OFFLINE, at, conn, Reason.SHUTDOWN);
    }

    public static String topic(String deviceId) {
        return "dt/signage/" + deviceId + "/presence";
    }

    public String toJson() {
        return JsonWriter.object()
                .number("v", FORMAT_VERSION)
                .string("deviceId", deviceId)
                .string("bootId", bootId.toString())
                .string("state", state.wireValue())
                .string("at", DeviceStatus.timestamp(at))
                .number("conn", conn)
                .string("reason", reason.wireValue())
                .end();
    }

    public byte[] toPayload() {
        return toJson().getBytes(StandardCharsets.UTF_8);
    }
}
