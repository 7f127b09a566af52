package dev.signagefleet.agent.metrics;

/**
 * Where the agent's status gets its numbers: {@link LinuxMetrics} on a real terminal,
 * {@link SimulatedMetrics} for simulated terminals. Called only from the owning agent's serial
 * executor, so implementations need not be thread-safe; they should not throw (report what cannot
 * be read as empty) and should return quickly, since the agent reads them every few seconds.
 */
public interface MetricsSource {

    Metrics read();

    /** e.g. {@code Linux 6.1.0 aarch64}: os.name, os.version and os.arch of this JVM. */
    static String jvmOs() {
        return System.getProperty("os.name", "?") + " " + System.getProperty("os.version", "?") + " "
                + System.getProperty("os.arch", "?");
    }
}
