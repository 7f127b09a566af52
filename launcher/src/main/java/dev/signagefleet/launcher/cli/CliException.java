package dev.signagefleet.launcher.cli;

import dev.signagefleet.common.SignageException;

/** An operator command cannot do what was asked; the message is printed as is. */
public class CliException extends SignageException {

    public CliException(String message) {
        super(message);
    }
}
