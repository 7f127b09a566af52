package dev.signagefleet.agent.logging;

import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A {@link System.Logger} that names the device in every line, because one JVM may run a thousand
 * simulated agents and a line without the device id cannot be acted on.
 *
 * <p>Platform logging keeps the standalone jar on java.util.logging while a host application
 * (the launcher, the tests) routes the same lines to SLF4J. Messages are passed already built,
 * never as {@link java.text.MessageFormat} patterns, so quotes and braces print as they are.
 */
public final class DeviceLog {

    private final System.Logger logger;
    private final String prefix;

    public DeviceLog(Class<?> owner, String deviceId) {
        this.logger = System.getLogger(owner.getName());
        this.prefix = "[" + Objects.requireNonNull(deviceId, "deviceId") + "] ";
    }

    public void debug(Supplier<String> message) {
        if (logger.isLoggable(Level.DEBUG)) {
            logger.log(Level.DEBUG, prefix + message.get());
        }
    }

    public void info(String message) {
        logger.log(Level.INFO, prefix + message);
    }

    public void warn(String message) {
        logger.log(Level.WARNING, prefix + message);
    }

    public void error(String message) {
        logger.log(Level.ERROR, prefix + message);
    }

    public void error(String message, Throwable cause) {
        logger.log(Level.ERROR, prefix + message, cause);
    }
}
