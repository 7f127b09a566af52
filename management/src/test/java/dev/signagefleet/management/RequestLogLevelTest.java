package dev.signagefleet.management;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which requests get an INFO line: everything but quick successful reads. */
class RequestLogLevelTest {

    @Test
    void quickSuccessfulReadsAreRoutine() {
        assertThat(ManagementServer.routineRead("GET", 200, 3)).isTrue();
        assertThat(ManagementServer.routineRead("HEAD", 304, 3)).isTrue();
    }

    @Test
    void writesRefusalsErrorsAndSlowReadsAreNot() {
        assertThat(ManagementServer.routineRead("POST", 202, 3)).as("a write").isFalse();
        assertThat(ManagementServer.routineRead("DELETE", 204, 3)).as("a write").isFalse();
        assertThat(ManagementServer.routineRead("GET", 401, 3)).as("refused").isFalse();
        assertThat(ManagementServer.routineRead("GET", 404, 3)).as("not found").isFalse();
        assertThat(ManagementServer.routineRead("GET", 500, 3)).as("an error").isFalse();
        assertThat(ManagementServer.routineRead("GET", 200, ManagementServer.SLOW_REQUEST_MS)).as("slow").isFalse();
    }
}
