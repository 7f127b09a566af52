package dev.signagefleet.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import dev.signagefleet.common.files.OwnerOnlyFile;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code signage device add|show}: register one terminal, or look at one. */
@Command(name = "device", mixinStandardHelpOptions = true, description = "Register, inspect or re-key one terminal.",
        subcommands = {DeviceCommand.Add.class, DeviceCommand.Show.class, DeviceCommand.Rotate.class, DeviceCommand.Cert.class})
public final class DeviceCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("Use: signage device add ID --group G | signage device show ID | signage device rotate ID"
                + " | signage device cert ID --out DIR");
        return 2;
    }

    /** Prints the connection details of a device and writes its agent config when asked. */
    static void printCredential(JsonNode answer, String deviceId, Path configFile) throws IOException {
        System.out.println("  MQTT URL    " + answer.path("mqtt").path("url").asText());
        System.out.println("  client id   " + deviceId + "  (also the username)");
        System.out.println("  credential  " + answer.get("credential").asText() + "   <- shown only now");
        if (configFile != null) {
            OwnerOnlyFile.write(configFile, answer.get("agentConfig").asText());
            System.out.println("Agent config written to " + configFile.toAbsolutePath()
                    + "; run: java -jar device-agent/target/device-agent.jar --config " + configFile);
        }
    }

    /**
     * {@code signage device cert ID --out DIR [--data-dir DIR] [--mqtt-url ssl://host:port]}: a
     * certificate of the local CA for the embedded broker's mutual-TLS listener, with its key, the CA
     * and a ready agent config. Works on the stack's data folder, on the machine that runs it.
     */
    @Command(name = "cert", mixinStandardHelpOptions = true,
            description = "Issue a device certificate (CN = ID) of the local CA for the mutual-TLS listener (SIGNAGE_MQTT_TLS_PORT).")
    static final class Cert implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "ID", description = "Device id, registered with 'signage device add'")
        String deviceId;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for the certificate, key, CA and agent config")
        Path out;

        @Option(names = "--data-dir", defaultValue = "${env:SIGNAGE_DATA_DIR:-signage-data}", paramLabel = "DIR",
                description = "The stack's data folder (its CA is in pki/). Default: ${DEFAULT-VALUE}")
        Path dataDir;

        @Option(names = "--mqtt-url", paramLabel = "URL",
                description = "The TLS broker URL terminals use. Default: ssl://127.0.0.1:$SIGNAGE_MQTT_TLS_PORT (8883)")
        String mqttUrl;

        @Override
        public Integer call() {
            if (!dev.signagefleet.telemetry.registry.DeviceRegistry.ID.matcher(deviceId).matches()) {
                System.err.println("signage device cert: the device id must be 1 to 64 letters, digits, '-' or '_', was '"
                        + deviceId + "'");
                return 2;
            }
            try {
                dev.signagefleet.embedded.broker.LocalPki pki = dev.signagefleet.embedded.broker.LocalPki.openOrCreate(
                        dataDir.resolve("pki"));
                var files = pki.issueDevice(deviceId, out);
                String url = mqttUrl != null ? mqttUrl
                        : "ssl://127.0.0.1:" + java.util.Optional.ofNullable(System.getenv("SIGNAGE_MQTT_TLS_PORT")).orElse("8883");
                Path config = out.resolve("agent.properties");
                OwnerOnlyFile.write(config, String.join("\n",
                        "# signage-fleet agent: mutual TLS with a certificate of the local CA (CN = device id, no password)",
                        "device.id=" + deviceId,
                        "mqtt.url=" + url,
                        "tls.ca.file=" + files.caCertificate().toAbsolutePath(),
                        "tls.cert.file=" + files.certificate().toAbsolutePath(),
                        "tls.key.file=" + files.privateKey().toAbsolutePath(),
                        ""));
                System.out.println("Certificate for " + deviceId + " (CN=" + deviceId + ") written to " + out.toAbsolutePath() + ":");
                System.out.println("  " + files.certificate().getFileName() + ", " + files.privateKey().getFileName()
                        + " (owner only), " + files.caCertificate().getFileName() + ", agent.properties");
                System.out.println("The broker accepts it only for a registered device: ./signage device add " + deviceId
                        + " --group G (if not done). Run: java -jar device-agent/target/device-agent.jar --config " + config);
                return 0;
            } catch (RuntimeException | IOException e) {
                System.err.println("signage device cert: " + e.getMessage());
                return 1;
            }
        }
    }

    /** {@code signage device rotate ID [--write-config FILE]}: a new credential; the old one stops working. */
    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Give a terminal a new credential (the old one stops working and its connection is closed).")
    static final class Rotate implements Callable<Integer> {

        @Mixin
        ApiOptions api;

        @Parameters(index = "0", paramLabel = "ID")
        String deviceId;

        @Option(names = "--write-config", paramLabel = "FILE", description = "Write a ready agent.properties to FILE")
        Path configFile;

        @Override
        public Integer call() {
            try {
                JsonNode answer = api.client().post("/api/devices/" + deviceId + "/credential", Map.of());
                System.out.println("New credential for " + deviceId + ".");
                printCredential(answer, deviceId, configFile);
                return 0;
            } catch (CliException e) {
                System.err.println("signage device rotate: " + e.getMessage());
                return 1;
            } catch (IOException e) {
                System.err.println("signage device rotate: the credential was changed, but " + configFile
                        + " could not be written (" + e + "); run the command again");
                return 1;
            }
        }
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
                printCredential(created, deviceId, configFile);
                return 0;
            } catch (CliException e) {
                System.err.println("signage device add: " + e.getMessage());
                return 1;
            } catch (IOException e) {
                System.err.println("signage device add: " + deviceId + " is registered, but its config could not be written to "
                        + configFile + " (" + e + "); get a new credential with: signage device rotate " + deviceId
                        + " --write-config FILE");
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
