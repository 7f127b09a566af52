package dev.signagefleet.launcher;

import dev.signagefleet.launcher.cli.AwsCommand;
import dev.signagefleet.launcher.cli.DeadLettersCommand;
import dev.signagefleet.launcher.cli.DeviceCommand;
import dev.signagefleet.launcher.cli.DevicesCommand;
import dev.signagefleet.launcher.cli.QuarantineCommand;
import dev.signagefleet.launcher.service.ServiceCommand;
import dev.signagefleet.launcher.cli.UploadCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code signage} command: run the stack, and ask it about the fleet. */
@Command(name = "signage",
        mixinStandardHelpOptions = true,
        versionProvider = SignageCommand.Version.class,
        description = "signage-fleet: backend for fleets of digital-signage terminals.",
        subcommands = {UpCommand.class, DevicesCommand.class, DeviceCommand.class, UploadCommand.class, DeadLettersCommand.class, AwsCommand.class,
                QuarantineCommand.class, ServiceCommand.class,
                CommandLine.HelpCommand.class})
public final class SignageCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // The servers (the whole stack, one service) keep running after main returns, until a signal.
        boolean up = args.length > 0 && (args[0].equals("up") || args[0].equals("service"));
        // The server logs at INFO; the operator commands only print their answer (and warnings).
        System.setProperty("signage.console.level", up ? "INFO" : "WARN");
        // SIGNAGE_LOG_FORMAT=json: one JSON object per line on stdout, for a log collector. Before the first logger.
        if ("json".equalsIgnoreCase(System.getenv("SIGNAGE_LOG_FORMAT"))) {
            System.setProperty("signage.log.appender", "JSON");
        }
        int exit = new CommandLine(new SignageCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
        if (!up || exit != 0) {
            System.exit(exit);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SignageCommand.class.getPackage().getImplementationVersion();
            return new String[] {"signage-fleet " + (version == null ? "development build" : version)};
        }
    }
}
