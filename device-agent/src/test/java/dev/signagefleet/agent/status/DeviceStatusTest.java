package dev.signagefleet.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signagefleet.agent.metrics.DisplayState;
import dev.signagefleet.agent.metrics.Metrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeviceStatusTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final UUID BOOT = UUID.fromString("6f1c2d4e-8a5b-4c3d-9e7f-0a1b2c3d4e5f");

    static Metrics fullMetrics() {
        return new Metrics(1260, OptionalDouble.of(0.12), OptionalLong.of(612), OptionalLong.of(2048),
                OptionalLong.of(10240), OptionalDouble.of(48.5), DisplayState.ON, Optional.of("192.0.2.10"),
                "Linux 6.1.0 aarch64");
    }

    @Test
    void everyFieldIsNamedAsTheContractSaysAndInItsOrder() throws Exception {
        DeviceStatus status = new DeviceStatus("lobby-01", BOOT, 42, Instant.parse("2026-11-23T09:00:00.123Z"),
                "1.0.0", fullMetrics(), Optional.empty(), Optional.empty(), 0);

        JsonNode json = MAPPER.readTree(status.toJson());

        assertThat(fieldNames(json)).containsExactly("v", "deviceId", "bootId", "seq", "sentAt", "agentVersion",
                "uptimeSec", "cpuLoad", "memUsedMb", "memTotalMb", "diskFreeMb", "temperatureC", "display",
                "contentVersion", "ip", "os");
        assertThat(status.toJson()).isEqualTo("{\"v\":1,\"deviceId\":\"lobby-01\","
                + "\"bootId\":\"6f1c2d4e-8a5b-4c3d-9e7f-0a1b2c3d4e5f\",\"seq\":42,\"sentAt\":\"2026-11-23T09:00:00.123Z\","
                + "\"agentVersion\":\"1.0.0\",\"uptimeSec\":1260,\"cpuLoad\":0.12,\"memUsedMb\":612,\"memTotalMb\":2048,"
                + "\"diskFreeMb\":10240,\"temperatureC\":48.5,\"display\":\"on\",\"contentVersion\":null,"
                + "\"ip\":\"192.0.2.10\",\"os\":\"Linux 6.1.0 aarch64\"}");
    }

    @Test
    void sentAtAlwaysHasMillisecondsInUtc() throws Exception {
        DeviceStatus onTheSecond = new DeviceStatus("a", BOOT, 1, Instant.parse("2026-11-23T09:00:00Z"), "1",
                fullMetrics(), Optional.empty(), Optional.empty(), 0);
        DeviceStatus withNanos = new DeviceStatus("a", BOOT, 1, Instant.parse("2026-11-23T09:00:00.123456789Z"), "1",
                fullMetrics(), Optional.empty(), Optional.empty(), 0);

        assertThat(MAPPER.readTree(onTheSecond.toJson()).get("sentAt").asText()).isEqualTo("2026-11-23T09:00:00.000Z");
        assertThat(MAPPER.readTree(withNanos.toJson()).get("sentAt").asText()).isEqualTo("2026-11-23T09:00:00.123Z");
    }

    @Test
    void unknownMetricsAreLeftOutOrNullOrUnknownAndDroppedAppearsOnlyWhenPositive() throws Exception {
        Metrics nothing = Metrics.unknown(5, "Linux");
        DeviceStatus status = new DeviceStatus("a", BOOT, 3, Instant.EPOCH, "1", nothing, Optional.of("c-7"), Optional.empty(), 4);

        JsonNode json = MAPPER.readTree(status.toJson());

        assertThat(fieldNames(json)).doesNotContain("cpuLoad", "memUsedMb", "memTotalMb", "diskFreeMb", "temperatureC");
        assertThat(json.get("display").asText()).isEqualTo("unknown");
        assertThat(json.get("ip").isNull()).isTrue();
        assertThat(json.get("contentVersion").asText()).isEqualTo("c-7");
        assertThat(json.get("droppedWhileOffline").asLong()).isEqualTo(4);
        assertThat(MAPPER.readTree(new DeviceStatus("a", BOOT, 3, Instant.EPOCH, "1", nothing, Optional.empty(), Optional.empty(), 0).toJson())
                .has("droppedWhileOffline")).isFalse();
    }

    @Test
    void aContentErrorFollowsTheContentVersionOnlyWhileThereIsOne() throws Exception {
        DeviceStatus status = new DeviceStatus("a", BOOT, 3, Instant.EPOCH, "1", fullMetrics(), Optional.of("tokyo-east@3"),
                Optional.of("tokyo-east@4: sha256 mismatch (expected \"x\")"), 0);

        JsonNode json = MAPPER.readTree(status.toJson());

        assertThat(fieldNames(json)).containsSubsequence("contentVersion", "contentError", "ip");
        assertThat(json.get("contentError").asText()).isEqualTo("tokyo-east@4: sha256 mismatch (expected \"x\")");
    }

    @Test
    void theTopicIsTheDevicesTelemetryTopic() {
        assertThat(DeviceStatus.topic("lobby-01")).isEqualTo("dt/signage/lobby-01/status");
    }

    static List<String> fieldNames(JsonNode json) {
        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
