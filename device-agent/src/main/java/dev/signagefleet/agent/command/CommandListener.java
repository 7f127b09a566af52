package dev.signagefleet.agent.command;

/**
 * Receives the commands addressed to the terminal or its group. Called on the agent's serial
 * executor, one command at a time and in arrival order: return quickly and hand long work (a
 * download) to another thread; do not call {@code DeviceAgent.stop()} from here.
 */
@FunctionalInterface
public interface CommandListener {

    void onCommand(Command command);
}
