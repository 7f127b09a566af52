package dev.signagefleet.aws.service;

import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.aws.device.AmazonRootCa;
import dev.signagefleet.aws.device.DeviceBundle;
import dev.signagefleet.aws.plan.Names;
import dev.signagefleet.common.config.ConfigException;
import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.common.files.OwnerOnlyFile;
import dev.signagefleet.common.mqtt.MqttClients;
import dev.signagefleet.common.mqtt.MqttSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the backend services need to reach AWS IoT Core and SQS: the services certificate, its
 * private key (owner only), Amazon's root CA and a {@code services.env} with the variables that point
 * the services at them, written to one folder.
 *
 * @param name       the certificate's label ({@code --name})
 * @param thing      the thing that holds the certificate
 * @param endpoint   the account's IoT data endpoint ({@code xxxx-ats.iot.{region}.amazonaws.com})
 * @param installDir where the folder will be on the service hosts (the paths in services.env)
 */
public record ServiceBundle(String name, Names names, String region, String thing, String certificateId, String endpoint,
                           String certificatePem, String privateKeyPem, Path installDir) {

    public static final String CERTIFICATE = DeviceBundle.CERTIFICATE;
    public static final String PRIVATE_KEY = DeviceBundle.PRIVATE_KEY;
    public static final String ENV_FILE = "services.env";

    /**
     * Values in the env file stay unquoted, so that a shell ({@code set -a; . services.env}), systemd's
     * EnvironmentFile and {@code docker --env-file} all read the same: the paths may hold no blanks,
     * quotes or {@code $}.
     */
    private static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9/._+,:@%=-]+");

    public String mqttUrl() {
        return "ssl://" + endpoint + ":" + DeviceBundle.MQTT_TLS_PORT;
    }

    /** Refuses, before anything is made, an install folder that services.env could not name unquoted. */
    public static void checkInstallDir(Path installDir) {
        Path install = installDir.toAbsolutePath();
        if (!PLAIN_PATH.matcher(install.toString()).matches()) {
            throw new AwsProvisioningException("the install folder '" + install + "' holds characters (blanks, quotes, '$'...) that"
                    + " services.env would need quoted; choose a folder of letters, digits and / . _ - only (--install-dir)");
        }
    }

    /** Writes the four files into {@code dir} (created if needed) and returns the env file's path. */
    public Path writeTo(Path dir) throws IOException {
        checkInstallDir(installDir);
        Path install = installDir.toAbsolutePath();
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(CERTIFICATE), certificatePem, StandardCharsets.US_ASCII);
        OwnerOnlyFile.write(dir.resolve(PRIVATE_KEY), privateKeyPem);
        Files.writeString(dir.resolve(AmazonRootCa.FILE_NAME), AmazonRootCa.pem(), StandardCharsets.US_ASCII);
        check(dir.toAbsolutePath());
        Path env = dir.resolve(ENV_FILE);
        Files.writeString(env, envText(install), StandardCharsets.UTF_8);
        return env;
    }

    /** The variables, with the files in {@code folder}. */
    public Map<String, String> environment(Path folder) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("SIGNAGE_MQTT_URL", mqttUrl());
        values.put("SIGNAGE_MQTT_CERT_FILE", folder.resolve(CERTIFICATE).toString());
        values.put("SIGNAGE_MQTT_KEY_FILE", folder.resolve(PRIVATE_KEY).toString());
        values.put("SIGNAGE_MQTT_CA_FILE", folder.resolve(AmazonRootCa.FILE_NAME).toString());
        values.put("SIGNAGE_QUEUE_PREFIX", names.queuePrefix());
        values.put("SIGNAGE_SQS_PROVISION", "false");
        values.put("SIGNAGE_SQS_REGION", region);
        // No password: with a client certificate and no password the certificate is the only login (MqttClients).
        values.put("SIGNAGE_TELEMETRY_MQTT_PASSWORD", "");
        values.put("SIGNAGE_CONTENT_MQTT_PASSWORD", "");
        return values;
    }

    /** The services' own MQTT code loads the files just written, as a service will at start. */
    private void check(Path dir) {
        Map<String, String> values = environment(dir);
        try {
            MqttSettings settings = new MqttSettings(values.get("SIGNAGE_MQTT_URL"), "check", new Secret(""))
                    .withCertificateFrom(Settings.of(values));
            MqttClients.builder(settings, "check", () -> true);
        } catch (ConfigException e) {
            throw new AwsProvisioningException("the certificate and key AWS returned for " + thing + " do not load as a service would"
                    + " load them (" + e.getMessage() + "); run 'signage aws add-service' again with another --name", e);
        }
    }

    private String envText(Path install) {
        StringBuilder text = new StringBuilder()
                .append("# signage-fleet services on AWS IoT Core and SQS: prefix ").append(names.prefix()).append(", region ")
                .append(region).append('\n')
                .append("# certificate ").append(certificateId).append(" on thing ").append(thing).append(", policy ")
                .append(names.servicesPolicy()).append(" (signage aws add-service)\n")
                .append("# Load it with: set -a; . ").append(install.resolve(ENV_FILE)).append("; set +a\n")
                .append("# (or systemd EnvironmentFile=, docker --env-file). Add SIGNAGE_POSTGRES_URL and the rest each service\n")
                .append("# needs (README, Running as services); SIGNAGE_INSTANCE must differ between instances.\n");
        environment(install).forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    @Override
    public String toString() {
        return "ServiceBundle[" + thing + ", certificate " + certificateId + ", " + endpoint + ", key masked]";
    }
}
