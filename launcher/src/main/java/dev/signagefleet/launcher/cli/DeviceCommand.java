package dev.signagefleet.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code signage device add|show}: register one terminal, or look at one. */
@Command(name = "device", mixinStandardHelpOptions = true, description = "Register or inspect one terminal.",
        subcommands = {DeviceCommand.Add.class, DeviceCommand.Show.class})
public final class DeviceCommand implements Runnable {

    @Override
    public void run() {
        System.err.println("Use: signage device add ID --group G   or   signage device show ID");
    }

    /** {@code signage device add ID --group G [--write-config FILE]}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Register a terminal; prints its credential once and can write a ready agent config.")
    static final class Add implements Callable<Integer> {

        @Mixin
        ApiOptions api;

        @Parameters(index = "0", paramLabel = "ID", description = "Device id (letters, digits, - and _; the MQTT client id)")
        String deviceId;

        @Option(names = "--group", required = true, description = "Its group (decides which content it shows)")
        String group;

        @Option(names = "--name", description = "A human name")
        String name;

        @Option(names = "--location", description = "Where it hangs")
        String location;

        @Option(names = "--write-config", paramLabel = "FILE",
                description = "Write a ready agent.properties (with the credential) to FILE, readable by you only")
        Path configFile;

        @Override
        public Integer call() {
            try {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("deviceId", deviceId);
                body.put("group", group);
                body.put("name", name);
                body.put("location", location);
                JsonNode created = api.client().post("/api/devices", body);
                System.out.println("Registered " + deviceId + " in group " + group + ".");
                System.out.println("  MQTT URL    " + created.path("mqtt").path("url").asText());
                System.out.println("  client id   " + deviceId + "  (also the username)");
                System.out.println("  credential  " + created.get("credential").asText() + "   <- shown only now");
                if (configFile != null) {
                    Files.writeString(configFile, created.get("agentConfig").asText(), StandardCharsets.UTF_8);
                    try {
                        Files.setPosixFilePermissions(configFile, PosixFilePermissions.fromString("rw-------"));
                    } catch (UnsupportedOperationException e) {
                        // not a POSIX file system
                    }
                    System.out.println("Agent config written to " + configFile.toAbsolutePath()
                            + "; run: java -jar device-agent/target/device-agent.jar --config " + configFile);
                }
                return 0;
            } catch (CliException e) {
                System.err.println("signage device add: " + e.getMessage());
                return 1;
            } catch (IOException e) {
                System.err.println("signage device add: registered, but could not write " + configFile + ": " + e.getMessage());
                return 1;
            }
        }
    }

    /** {@code signage device show ID}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a terminal's state, latest status and events.")
    static final class Show implements Callable<Integer> {

        @Mixin
        ApiOptions api;

        @Parameters(index = "0", paramLabel = "ID")
        String deviceId;

        @Override
        public Integer call() {
            try {
                ApiClient client = api.client();
                JsonNode d = client.get("/api/devices/" + deviceId, Map.of());
                JsonNode c = d.get("connectivity");
                Instant now = Instant.now();
                Table identity = new Table("FIELD", "VALUE");
                identity.add("device", d.get("deviceId").asText());
                identity.add("group", DevicesCommand.text(d.get("group")));
                identity.add("name", DevicesCommand.text(d.get("name")));
                identity.add("location", DevicesCommand.text(d.get("location")));
                identity.add("connectivity", c.get("state").asText() + " (" + DevicesCommand.text(c.get("reason")) + ")");
                identity.add("since", DevicesCommand.text(c.get("since")) + " (" + DevicesCommand.ago(c.get("since"), now) + ")");
                identity.add("last seen", DevicesCommand.text(c.get("lastSeenAt")));
                JsonNode s = d.get("latest");
                if (s != null && !s.isNull()) {
                    s.fields().forEachRemaining(f -> identity.add("  " + f.getKey(), f.getValue().isNull() ? null : f.getValue().asText()));
                }
                System.out.print(identity.render());
                JsonNode events = client.get("/api/devices/" + deviceId + "/events", Map.of("limit", "10")).get("items");
                if (events.size() > 0) {
                    Table table = new Table("TIME", "EVENT", "REASON");
                    for (JsonNode e : events) {
                        table.add(e.get("time").asText(), e.get("type").asText(), DevicesCommand.text(e.path("data").get("reason")));
                    }
                    System.out.println();
                    System.out.print(table.render());
                }
                return 0;
            } catch (CliException e) {
                System.err.println("signage device show: " + e.getMessage());
                return 1;
            }
        }
    }
}
