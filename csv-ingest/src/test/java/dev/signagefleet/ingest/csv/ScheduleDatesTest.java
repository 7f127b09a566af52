package dev.signagefleet.ingest.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleDatesTest {

    private static CsvFixture.Outcome startingAt(String cell, ZoneId zone) {
        return CsvFixture.utf8("slide_id,title,duration_sec,start_at\ns1,T,5,\"" + cell + "\"\n", zone);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "2026-12-01T09:00:00+09:00   | 2026-12-01T00:00:00Z",
        "2026-12-01T00:00:00Z        | 2026-12-01T00:00:00Z",
        "2026-12-01T00:00z           | 2026-12-01T00:00:00Z",
        "2026-12-01T01:30:00-01:30   | 2026-12-01T03:00:00Z",
        "2026-12-01T09:00+0900       | 2026-12-01T00:00:00Z",
        "2026-12-01T09:00+09         | 2026-12-01T00:00:00Z",
        "2026-12-01T09:00:00.250     | 2026-12-01T00:00:00.250Z",
        "2026-12-01T09:00            | 2026-12-01T00:00:00Z",
        "2026-12-01 09:00            | 2026-12-01T00:00:00Z",
        "2026-12-01 09:00:30         | 2026-12-01T00:00:30Z",
        "2026-12-01 9:00             | 2026-12-01T00:00:00Z",
        "2026/12/01 9:00             | 2026-12-01T00:00:00Z",
        "2026/12/01 09:00            | 2026-12-01T00:00:00Z",
        "2026/1/5 9:05               | 2026-01-05T00:05:00Z",
        "2026/1/5 0:00:59            | 2026-01-04T15:00:59Z",
        "'  2026-12-01 09:00\u3000'  | 2026-12-01T00:00:00Z",
    })
    void acceptedFormsWithoutOffsetAreInTheFleetZone(String cell, String expected) {
        CsvFixture.Outcome out = startingAt(cell, SlideCsvReader.DEFAULT_FLEET_ZONE);

        assertThat(out.result().problems()).isEmpty();
        assertThat(out.slide("s1").startAt()).isEqualTo(Instant.parse(expected));
    }

    @Test
    void theFleetZoneIsConfigurableAndFollowsDaylightSaving() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");

        assertThat(startingAt("2026-12-01 09:00", berlin).slide("s1").startAt()).isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
        assertThat(startingAt("2026/7/1 9:00", berlin).slide("s1").startAt()).isEqualTo(Instant.parse("2026-07-01T07:00:00Z"));
        assertThat(startingAt("2026-07-01T09:00:00+09:00", berlin).slide("s1").startAt())
                .as("an explicit offset wins over the zone").isEqualTo(Instant.parse("2026-07-01T00:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"2026-12-01", "tomorrow", "2026-12-01 9", "2026-12-01 09:00:00 JST", "2026-02-30 09:00",
        "2026-12-01 24:00", "12/01/2026 09:00", "2026-12-01T09:00+25:00", "2026-12-01 09:00Zx", "2026-12-01T09:0",
        "2026.12.01 09:00", "2026-12/01 09:00", "26-12-01 09:00", "２０２６-12-01 09:00", "2026-12-01T09:00:00.1234567890Z",
        "2026-001-01 09:00"})
    void otherFormsAreBadDates(String cell) {
        CsvFixture.Outcome out = startingAt(cell, SlideCsvReader.DEFAULT_FLEET_ZONE);

        Problem problem = out.only(Problem.BAD_DATE);
        assertThat(problem.line()).isEqualTo(2);
        assertThat(problem.column()).isEqualTo("start_at");
        assertThat(problem.message()).startsWith("start_at must be a date and time such as 2026-12-01 09:00");
        assertThat(out.slides()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0001-01-01 00:00", "0000-01-01T00:00Z", "1969-12-31T23:59:59Z", "1970-01-01 08:59"})
    void yearsThatCannotBeMeantAreOutOfRange(String cell) {
        CsvFixture.Outcome out = startingAt(cell, SlideCsvReader.DEFAULT_FLEET_ZONE);

        Problem problem = out.only(Problem.OUT_OF_RANGE);
        assertThat(problem.column()).isEqualTo("start_at");
        assertThat(problem.message()).contains("between 1970 and 9999");
        assertThat(out.slides()).isEmpty();
        assertThat(startingAt("9999-12-31 23:59", SlideCsvReader.DEFAULT_FLEET_ZONE).result().problems()).isEmpty();
    }

    @Test
    void endMustBeAfterStartAcrossForms() {
        CsvFixture.Outcome out = CsvFixture.utf8("slide_id,title,duration_sec,start_at,end_at\n"
                + "ok,T,5,2026/12/1 9:00,2026-12-01T00:01:00Z\n"
                + "bad,T,5,2026/12/1 9:00,2026-12-01T08:59:00+09:00\n"
                + "open,T,5,,2026-12-01 09:00\n");

        assertThat(out.slides()).extracting(Slide::slideId).containsExactly("ok", "open");
        Problem problem = out.only(Problem.END_BEFORE_START);
        assertThat(problem.line()).isEqualTo(3);
        assertThat(problem.column()).isEqualTo("end_at");
    }
}
