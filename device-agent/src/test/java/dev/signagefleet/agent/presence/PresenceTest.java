package dev.signagefleet.agent.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PresenceTest {

    private static final UUID BOOT = UUID.fromString("6f1c2d4e-8a5b-4c3d-9e7f-0a1b2c3d4e5f");

    @Test
    void onlineWillAndShutdownCarryStateConnAndReason() {
        Instant at = Instant.parse("2026-11-23T09:00:00.5Z");

        assertThat(Presence.online("lobby-01", BOOT, at, 2).toJson()).isEqualTo("{\"v\":1,\"deviceId\":\"lobby-01\","
                + "\"bootId\":\"6f1c2d4e-8a5b-4c3d-9e7f-0a1b2c3d4e5f\",\"state\":\"online\",\"at\":\"2026-11-23T09:00:00.500Z\","
                + "\"conn\":2,\"reason\":\"connected\"}");
        assertThat(Presence.lastWill("lobby-01", BOOT, at, 3).toJson())
                .contains("\"state\":\"offline\"", "\"conn\":3", "\"reason\":\"connection-lost\"");
        assertThat(Presence.shutdown("lobby-01", BOOT, at, 3).toJson())
                .contains("\"state\":\"offline\"", "\"conn\":3", "\"reason\":\"shutdown\"");
        assertThat(Presence.topic("lobby-01")).isEqualTo("dt/signage/lobby-01/presence");
    }
}
