package dev.signagefleet.launcher.cli;

import dev.signagefleet.launcher.stack.Stack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How the operator commands reach a running stack and log in. */
public final class ApiOptions {

    @Option(names = "--api", defaultValue = "${env:SIGNAGE_API_URL:-http://localhost:8080}",
            description = "The stack's HTTP API. Default: ${DEFAULT-VALUE}")
    String api;

    @Option(names = "--user", defaultValue = "${env:SIGNAGE_API_USER:-admin}", description = "Console user. Default: ${DEFAULT-VALUE}")
    String user;

    @Option(names = "--password", defaultValue = "${env:SIGNAGE_ADMIN_PASSWORD}",
            description = "Password (default: SIGNAGE_ADMIN_PASSWORD, else the data dir's admin-password.txt)")
    String password;

    @Option(names = "--data-dir", defaultValue = "${env:SIGNAGE_DATA_DIR:-./signage-data}",
            description = "Where to find admin-password.txt. Default: ${DEFAULT-VALUE}")
    Path dataDir;

    ApiClient client() {
        return new ApiClient(api, user, resolvePassword());
    }

    private String resolvePassword() {
        if (password != null && !password.isBlank()) {
            return password;
        }
        Path file = dataDir.resolve(Stack.ADMIN_PASSWORD_FILE);
        if (Files.isReadable(file)) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            }
        }
        throw new CliException("no password: pass --password, set SIGNAGE_ADMIN_PASSWORD, or run from the folder whose "
                + dataDir + "/" + Stack.ADMIN_PASSWORD_FILE + " holds it");
    }
}
