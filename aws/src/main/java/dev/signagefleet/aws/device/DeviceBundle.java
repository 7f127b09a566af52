package dev.signagefleet.aws.device;

import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.agent.config.ConfigKey;
import dev.signagefleet.agent.config.TlsFiles;
import dev.signagefleet.common.files.OwnerOnlyFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a terminal needs to report to AWS IoT Core: its certificate, its private key (owner only),
 * Amazon's root CA and an {@code agent.properties} for the data endpoint, written to one folder.
 *
 * @param endpoint   the account's IoT data endpoint ({@code xxxx-ats.iot.{region}.amazonaws.com})
 * @param installDir where the folder will be on the terminal (the paths in agent.properties)
 */
public record DeviceBundle(String deviceId, String group, String endpoint, String certificatePem, String privateKeyPem,
                           Path installDir) {

    public static final String CERTIFICATE = "certificate.pem.crt";
    public static final String PRIVATE_KEY = "private.pem.key";
    public static final String CONFIG = "agent.properties";

    /** AWS IoT Core's MQTT port for X.509 client certificates. */
    public static final int MQTT_TLS_PORT = 8883;

    public String mqttUrl() {
        return "ssl://" + endpoint + ":" + MQTT_TLS_PORT;
    }

    /** Writes the four files into {@code dir} (created if needed) and returns the agent config's path. */
    public Path writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(CERTIFICATE), certificatePem, StandardCharsets.US_ASCII);
        OwnerOnlyFile.write(dir.resolve(PRIVATE_KEY), privateKeyPem);
        Files.writeString(dir.resolve(AmazonRootCa.FILE_NAME), AmazonRootCa.pem(), StandardCharsets.US_ASCII);
        // The agent's own parser checks the config against the files just written, then the paths
        // become those of the folder on the terminal.
        AgentConfig checked = AgentConfig.parse(values(dir.toAbsolutePath()));
        Path install = installDir.toAbsolutePath();
        AgentConfig installed = new AgentConfig(checked.deviceId(), checked.deviceGroup(), checked.mqttUrl(), checked.mqttUsername(),
                checked.mqttPassword(), new TlsFiles(Optional.of(install.resolve(AmazonRootCa.FILE_NAME)),
                Optional.of(install.resolve(CERTIFICATE)), Optional.of(install.resolve(PRIVATE_KEY))),
                checked.heartbeat(), checked.keepAlive(), checked.sessionExpiry(), checked.reconnectBase(), checked.reconnectCap(),
                checked.bufferDir(), checked.bufferMaxMessages(), checked.displayStateFile(), checked.contentDir(),
                checked.contentMaxBytes());
        Path config = dir.resolve(CONFIG);
        OwnerOnlyFile.write(config, "# AWS IoT Core: mutual TLS with the thing's certificate (no password); thing name = device id\n"
                + installed.toPropertiesText());
        return config;
    }

    private Map<String, String> values(Path dir) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(ConfigKey.DEVICE_ID.key(), deviceId);
        values.put(ConfigKey.DEVICE_GROUP.key(), group);
        values.put(ConfigKey.MQTT_URL.key(), mqttUrl());
        values.put(ConfigKey.TLS_CA_FILE.key(), dir.resolve(AmazonRootCa.FILE_NAME).toString());
        values.put(ConfigKey.TLS_CERT_FILE.key(), dir.resolve(CERTIFICATE).toString());
        values.put(ConfigKey.TLS_KEY_FILE.key(), dir.resolve(PRIVATE_KEY).toString());
        return values;
    }

    @Override
    public String toString() {
        return "DeviceBundle[" + deviceId + ", group " + group + ", " + endpoint + ", key masked]";
    }
}
