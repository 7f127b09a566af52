package dev.signagefleet.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Collects the log lines of the agent (System.Logger, routed to Logback in tests) so a test can assert on them. */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    /** One captured line. */
    record Line(Level level, String logger, String message) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Logger logger;

    private LogCapture(Logger logger) {
        this.logger = logger;
    }

    static LogCapture of(String loggerName) {
        LogCapture capture = new LogCapture((Logger) LoggerFactory.getLogger(loggerName));
        capture.start();
        capture.logger.addAppender(capture);
        return capture;
    }

    @Override
    protected void append(ILoggingEvent event) {
        lines.add(new Line(event.getLevel(), event.getLoggerName(), event.getFormattedMessage()));
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    boolean has(Level level, String... fragments) {
        return lines.stream().anyMatch(line -> line.level() == level && containsAll(line.message(), fragments));
    }

    private static boolean containsAll(String text, String... fragments) {
        for (String fragment : fragments) {
            if (!text.contains(fragment)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
