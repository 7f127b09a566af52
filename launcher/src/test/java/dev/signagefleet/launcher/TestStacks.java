package dev.signagefleet.launcher;

import dev.signagefleet.launcher.stack.StackOptions;
import dev.signagefleet.testing.FreePorts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/** Options of a whole local stack for the tests: loopback, free ports, embedded parts, a known admin password. */
final class TestStacks {

    private TestStacks() {
    }

    /** Everything embedded, on free loopback ports, with {@code devices} simulated terminals. */
    static StackOptions local(Path dataDir, int devices, String adminPassword) {
        return new StackOptions(dataDir, "127.0.0.1", FreePorts.next(), FreePorts.next(), FreePorts.next(), devices,
                Duration.ofSeconds(30), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(adminPassword), 100_000, false);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
