package dev.signagefleet.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.testing.TempDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * CI's smoke run of BENCHMARKS.md: every registered benchmark in SMOKE mode (tiny sizes) must run to
 * the end without losing data (a scenario throws when it does) and write its result as JSON. The
 * figures of a smoke run mean nothing and are not checked.
 */
class BenchmarkSmokeIT {

    private static Path out;

    @BeforeAll
    static void resultsFolder() throws Exception {
        out = Files.createTempDirectory("benchmark-smoke-");
    }

    @AfterAll
    static void deleteResults() {
        TempDirs.deleteQuietly(out);
    }

    @Test
    void everyListedBenchmarkLoadsAndHasAUniqueId() {
        List<Scenario> scenarios = BenchmarkMain.scenarios();
        assertThat(scenarios).extracting(Scenario::id)
                .contains("csv-pipeline", "agent-footprint", "fleet-queries", "micro")
                .doesNotHaveDuplicates();
    }

    @TestFactory
    Stream<DynamicTest> everyBenchmarkRunsInSmokeModeAndWritesAValidResult() {
        return BenchmarkMain.scenarios().stream().map(scenario -> DynamicTest.dynamicTest(scenario.id(), () -> {
            Map<String, Object> result = BenchmarkMain.runOne(scenario, Scenario.Mode.SMOKE, out);
            assertThat(result.get("valid")).as("%s: %s", scenario.id(), result.get("error")).isEqualTo(true);
            Path file = out.resolve(scenario.id() + ".json");
            assertThat(file).exists();
            JsonNode written = Json.mapper().readTree(file.toFile());
            assertThat(written.get("benchmark").asText()).isEqualTo(scenario.id());
            assertThat(written.get("mode").asText()).isEqualTo("SMOKE");
            assertThat(written.get("valid").asBoolean()).isTrue();
            assertThat(written.get("machine").get("cores").asInt()).isPositive();
            assertThat(written.get("compared")).as("%s has its figures against their baselines", scenario.id()).isNotNull();
        }));
    }
}
