package dev.signagefleet.agent.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new SplittableRandom(42));

    @Test
    void theCeilingDoublesFromTheBaseUntilTheCap() {
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.ceiling(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.ceiling(6)).isEqualTo(Duration.ofSeconds(32));
        assertThat(backoff.ceiling(7)).isEqualTo(Duration.ofSeconds(60));
        assertThat(backoff.ceiling(64)).isEqualTo(Duration.ofSeconds(60));
        assertThat(backoff.ceiling(Integer.MAX_VALUE)).as("no overflow into a short wait").isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void everyDelayIsBetweenOneMillisecondAndTheCeiling() {
        for (int attempt = 1; attempt <= 40; attempt++) {
            for (int draw = 0; draw < 500; draw++) {
                assertThat(backoff.delay(attempt)).isBetween(Duration.ofMillis(1), backoff.ceiling(attempt));
            }
        }
    }

    @Test
    void delaysAreSpreadOverTheWholeRangeNotClusteredAtTheCeiling() {
        long below = 0;
        long above = 0;
        for (int draw = 0; draw < 2000; draw++) {
            if (backoff.delay(10).compareTo(Duration.ofSeconds(30)) < 0) {
                below++;
            } else {
                above++;
            }
        }
        assertThat(below).isGreaterThan(700);
        assertThat(above).isGreaterThan(700);
    }

    @Test
    void aTinyBaseStillWaitsAtLeastOneMillisecond() {
        Backoff tiny = new Backoff(Duration.ofMillis(1), Duration.ofMillis(1), new SplittableRandom(1));
        for (int draw = 0; draw < 100; draw++) {
            assertThat(tiny.delay(1)).isEqualTo(Duration.ofMillis(1));
        }
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> backoff.ceiling(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
