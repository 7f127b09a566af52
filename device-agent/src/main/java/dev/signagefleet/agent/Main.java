package dev.signagefleet.agent;

import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.config.AgentConfigException;
import dev.signagefleet.agent.config.ConfigKey;
import dev.signagefleet.agent.logging.DeviceLog;
import dev.signagefleet.agent.metrics.LinuxMetrics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar device-agent.jar --config agent.properties}: runs the agent of this terminal
 * until the process is stopped, then says goodbye (offline presence) from a shutdown hook.
 * A broken configuration ends the process with status 2 and a line naming the key.
 *
 * <p>With {@code --exit-after-first-status} it stops cleanly as soon as the broker has answered
 * the first status of this boot: the one-time training run that records the classes of the
 * agent's start in a class-data sharing archive ({@code -XX:ArchiveClassesAtExit}), and a quick
 * check that a terminal's configuration reaches the broker.
 */
public final class Main {

    /** Exit status for a configuration or usage error. */
    public static final int CONFIG_ERROR = 2;
    /** Exit status of {@code --exit-after-first-status} when no status reached the broker in time, or it refused the status. */
    public static final int NO_STATUS = 1;
    /**
     * How long {@code --exit-after-first-status} waits: a first connect takes well under a second,
     * so a minute means the broker is out of reach or refuses the terminal.
     */
    static final Duration FIRST_STATUS_TIMEOUT = Duration.ofSeconds(60);
    private static final long FIRST_STATUS_POLL_MS = 10;
    /** When the class-data sharing archive is checked: after the start, not on its way. */
    private static final Duration ARCHIVE_CHECK_DELAY = Duration.ofSeconds(10);
    private static final String JUL_FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";
    private static final String JUL_MANAGER_PROPERTY = "java.util.logging.manager";

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        // both must be set before the first log line initialises java.util.logging
        if (System.getProperty(JUL_FORMAT_PROPERTY) == null) {
            System.setProperty(JUL_FORMAT_PROPERTY, "%1$tF %1$tT.%1$tL %4$-7s %3$s - %5$s%6$s%n");
        }
        if (System.getProperty(JUL_MANAGER_PROPERTY) == null) {
            System.setProperty(JUL_MANAGER_PROPERTY, ShutdownFriendlyLogManager.class.getName());
        }
        Optional<Integer> exit = run(args, System.getenv(), System.out, System.err);
        if (exit.isPresent()) {
            System.exit(exit.get());
        }
        new CountDownLatch(1).await(); // the agent runs on its own thread until the shutdown hook stops it
    }

    /**
     * Parses the arguments and configuration and starts the agent.
     *
     * @return the exit status when there is nothing to run (help, errors); empty when the agent runs
     */
    static Optional<Integer> run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args, env, out, err, FIRST_STATUS_TIMEOUT);
    }

    static Optional<Integer> run(String[] args, Map<String, String> env, PrintStream out, PrintStream err,
            Duration firstStatusTimeout) {
        Path configFile = null;
        boolean exitAfterFirstStatus = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(usage());
                    return Optional.of(0);
                }
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("device-agent: --config needs a file name\n\n" + usage());
                        return Optional.of(CONFIG_ERROR);
                    }
                    configFile = Path.of(args[++i]);
                }
                case "--exit-after-first-status" -> exitAfterFirstStatus = true;
                default -> {
                    err.println("device-agent: unknown argument '" + args[i] + "'\n\n" + usage());
                    return Optional.of(CONFIG_ERROR);
                }
            }
        }
        try {
            Map<String, String> values = configFile == null ? Map.of() : AgentConfig.readProperties(configFile);
            AgentConfig config = AgentConfig.parse(values, env);
            DeviceLog log = new DeviceLog(Main.class, config.deviceId());
            List<String> unknown = AgentConfig.unknownKeys(values);
            if (!unknown.isEmpty()) {
                log.warn("ignoring unknown keys in " + configFile + " (typos?): " + String.join(", ", unknown));
            }
            log.info("configuration" + (configFile == null ? " (environment only)" : " from " + configFile)
                    + ":\n  " + config.describe().replace("\n", "\n  "));
            DeviceAgent agent = new DeviceAgent(config, LinuxMetrics.forConfig(config), Clock.systemUTC());
            Runtime.getRuntime().addShutdownHook(new Thread(agent::stop, "signage-agent-shutdown"));
            agent.start();
            if (exitAfterFirstStatus) {
                return Optional.of(stopAfterFirstStatus(agent, firstStatusTimeout, env, log, err));
            }
            checkSharedArchiveLater(env, log);
            return Optional.empty();
        } catch (AgentConfigException e) {
            err.println("device-agent: configuration error: " + e.getMessage());
            return Optional.of(CONFIG_ERROR);
        }
    }

    /**
     * Waits until the broker has answered the first status of this boot (nothing of it is left in
     * the buffer), then stops the agent cleanly (offline presence, DISCONNECT).
     *
     * @return 0 when the status got its PUBACK, {@link #NO_STATUS} when none came within {@code timeout} or the
     *         broker refused it (PUBACK reason code 128 or more)
     */
    private static int stopAfterFirstStatus(DeviceAgent agent, Duration timeout, Map<String, String> env, DeviceLog log,
            PrintStream err) {
        long deadline = System.nanoTime() + timeout.toNanos();
        AgentState state = agent.state();
        try {
            while (!(state.connected() && state.lastSeq() >= 1 && state.bufferedCount() == 0)) {
                if (System.nanoTime() - deadline > 0) {
                    agent.stop();
                    err.println("device-agent: no status reached the broker within " + timeout.toSeconds() + " s"
                            + state.lastError().map(reason -> " (last error: " + reason + ")").orElse("")
                            + "; check mqtt.url and the credential, then run it again");
                    return NO_STATUS;
                }
                Thread.sleep(FIRST_STATUS_POLL_MS);
                state = agent.state();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            agent.stop();
            return NO_STATUS;
        }
        agent.stop();
        if (state.refusedCount() > 0) {
            err.println("device-agent: the broker refused the status (" + state.lastRefusal().orElse("no reason given")
                    + "); check that the device's policy allows it to publish on its own dt/ topics");
            return NO_STATUS;
        }
        log.info("the broker has the first status; stopped as asked (--exit-after-first-status)");
        SharedArchiveCheck.problem(env).ifPresent(log::warn);
        return 0;
    }

    /** Warns, once the start is over, when the archive named by -XX:SharedArchiveFile is not in use. */
    private static void checkSharedArchiveLater(Map<String, String> env, DeviceLog log) {
        Thread check = new Thread(() -> {
            try {
                Thread.sleep(ARCHIVE_CHECK_DELAY.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            SharedArchiveCheck.problem(env).ifPresent(log::warn);
        }, "signage-agent-archive-check");
        check.setDaemon(true);
        check.start();
    }

    static String usage() {
        StringBuilder text = new StringBuilder();
        text.append("signage device-agent ").append(AgentVersion.current()).append("\n\n")
                .append("Usage: java -jar device-agent.jar --config agent.properties [--exit-after-first-status]\n\n")
                .append("  --config FILE               properties file with the keys below\n")
                .append("  --exit-after-first-status   stop cleanly once the broker has the first status: exit 0, or 1\n")
                .append("                              if none reached it within ").append(FIRST_STATUS_TIMEOUT.toSeconds())
                .append(" s (the one-time training run for\n")
                .append("                              -XX:ArchiveClassesAtExit=agent.jsa; also a check of the config)\n")
                .append("  --help                      this text\n\n")
                .append("Every key can also be set by an environment variable, which wins over the file:\n")
                .append(ConfigKey.ENV_PREFIX).append(" + the key upper-cased, dots and dashes as underscores.\n\n");
        for (ConfigKey key : ConfigKey.values()) {
            text.append(String.format("  %-24s %s%n", key.key(), key.description()));
            text.append(String.format("  %-24s env %s%s%n", "", key.envName(),
                    key.defaultValue().map(value -> ", default " + value).orElse("")));
        }
        text.append("\nExit status 2: the configuration is broken (the message names the key).\n");
        return text.toString();
    }

    /**
     * java.util.logging's own shutdown hook resets (silences) every handler while ours is still
     * saying goodbye; this manager ignores that reset so the stop is logged. The JVM is exiting
     * anyway, so nothing needs resetting.
     */
    public static final class ShutdownFriendlyLogManager extends java.util.logging.LogManager {

        @Override
        public void reset() {
            // keep the handlers: see the class comment
        }
    }
}
