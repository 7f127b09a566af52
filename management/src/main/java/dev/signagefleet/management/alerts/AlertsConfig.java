package dev.signagefleet.management.alerts;

import dev.signagefleet.common.config.Settings;
import java.time.Duration;

/**
 * Settings of alerting; {@link #from(Settings)} reads them from environment-style keys with the
 * defaults in one place. Nothing here is secret (webhook secrets live in the database).
 *
 * @param interval        how often rules are evaluated and due deliveries sent
 * @param stormThreshold  more devices than this qualifying for one rule in one round arrive as one grouped alert
 * @param maxAttempts     deliveries that failed this many times are given up ({@code failed})
 * @param firstRetry      wait after the first failed attempt; doubles with each further failure
 * @param maxRetry        the longest wait between two attempts
 * @param timeout         connect timeout, and again the wait for the receiver's answer
 */
public record AlertsConfig(
        Duration interval,
        int stormThreshold,
        int maxAttempts,
        Duration firstRetry,
        Duration maxRetry,
        Duration timeout) {

    /** Few enough that one person can still read the list; an outage of a site is more than that. */
    public static final int DEFAULT_STORM_THRESHOLD = 10;
    /** 10 s doubling to the 10 min cap: 8 attempts span about 20 minutes, long enough for a receiver restart. */
    public static final int DEFAULT_MAX_ATTEMPTS = 8;
    public static final Duration DEFAULT_FIRST_RETRY = Duration.ofSeconds(10);
    public static final Duration DEFAULT_MAX_RETRY = Duration.ofMinutes(10);
    /** A webhook receiver should answer at once and do its work later; 5 s is generous. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Alerts should reach people within seconds, and a round costs a few indexed queries. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    public AlertsConfig {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
        if (stormThreshold < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("stormThreshold and maxAttempts start at 1");
        }
    }

    public static AlertsConfig defaults() {
        return new AlertsConfig(DEFAULT_INTERVAL, DEFAULT_STORM_THRESHOLD, DEFAULT_MAX_ATTEMPTS, DEFAULT_FIRST_RETRY,
                DEFAULT_MAX_RETRY, DEFAULT_TIMEOUT);
    }

    public static AlertsConfig from(Settings s) {
        return new AlertsConfig(
                s.seconds("SIGNAGE_ALERTS_INTERVAL_SEC", DEFAULT_INTERVAL, Duration.ofSeconds(1), Duration.ofMinutes(10)),
                s.integer("SIGNAGE_ALERTS_STORM_THRESHOLD", DEFAULT_STORM_THRESHOLD, 1, 100_000),
                s.integer("SIGNAGE_WEBHOOK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, 1, 100),
                s.seconds("SIGNAGE_WEBHOOK_FIRST_RETRY_SEC", DEFAULT_FIRST_RETRY, Duration.ofSeconds(1), Duration.ofHours(1)),
                s.seconds("SIGNAGE_WEBHOOK_MAX_RETRY_SEC", DEFAULT_MAX_RETRY, Duration.ofSeconds(1), Duration.ofDays(1)),
                s.seconds("SIGNAGE_WEBHOOK_TIMEOUT_SEC", DEFAULT_TIMEOUT, Duration.ofSeconds(1), Duration.ofMinutes(1)));
    }

    public AlertsConfig withInterval(Duration value) {
        return new AlertsConfig(value, stormThreshold, maxAttempts, firstRetry, maxRetry, timeout);
    }

    public AlertsConfig withMaxAttempts(int value) {
        return new AlertsConfig(interval, stormThreshold, value, firstRetry, maxRetry, timeout);
    }
}
