package dev.signagefleet.benchmarks.micro;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.telemetry.ingest.TelemetryDecoder;
import dev.signagefleet.telemetry.ingest.TelemetryMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Decoding + validating one status payload (the sample of {@code /work/shared/samples}) as the
 * telemetry consumer does, against its baseline: Jackson parsing the same bytes into a tree, with no
 * checks. Scores are payloads per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StatusDecodingBenchmark {

    static final String TOPIC = "dt/signage/lobby-01/status";
    private final byte[] payload = ("{\"v\":1,\"deviceId\":\"lobby-01\",\"bootId\":\"6f1c2d4e-8a5b-4c3d-9e7f-0a1b2c3d4e5f\","
            + "\"seq\":42,\"sentAt\":\"2026-11-23T09:00:00Z\",\"agentVersion\":\"1.0.0\",\"uptimeSec\":1260,\"cpuLoad\":0.12,"
            + "\"memUsedMb\":612,\"memTotalMb\":2048,\"diskFreeMb\":10240,\"temperatureC\":48.5,\"display\":\"on\","
            + "\"contentVersion\":null,\"ip\":\"192.0.2.10\",\"os\":\"Linux 6.1.0 aarch64\"}").getBytes(StandardCharsets.UTF_8);
    private final TelemetryDecoder decoder = new TelemetryDecoder(16 * 1024,
            Clock.fixed(Instant.parse("2026-11-23T09:00:05Z"), java.time.ZoneOffset.UTC));

    @Benchmark
    public TelemetryMessage decode() {
        TelemetryMessage message = decoder.decode(TOPIC, payload);
        if (!(message instanceof TelemetryMessage.StatusReport)) {
            throw new IllegalStateException("the sample status did not decode as a status: " + message);
        }
        return message;
    }

    @Benchmark
    public JsonNode baselineJacksonTree() throws IOException {
        return Json.mapper().readTree(payload);
    }
}
