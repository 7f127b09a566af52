package dev.signagefleet.agent.command;

import dev.signagefleet.agent.logging.DeviceLog;

/** The default {@link CommandListener} until a feature handles commands: logs topic and size. */
public final class LoggingCommandListener implements CommandListener {

    private final DeviceLog log;

    public LoggingCommandListener(String deviceId) {
        this.log = new DeviceLog(LoggingCommandListener.class, deviceId);
    }

    @Override
    public void onCommand(Command command) {
        log.info("command received on " + command.topic() + " (" + command.payload().length + " bytes"
                + (command.retained() ? ", retained" : "") + "); no handler for it yet");
    }
}
