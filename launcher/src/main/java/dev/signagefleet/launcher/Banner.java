package dev.signagefleet.launcher;

import dev.signagefleet.launcher.stack.Stack;
import java.time.Duration;

/** The short text {@code signage up} prints once everything runs. */
final class Banner {

    private Banner() {
    }

    static String text(Stack stack, Duration startup) {
        String api = "http://" + stack.options().localHost() + ":" + stack.httpPort();
        String password = stack.generatedAdminPassword()
                .map(p -> p + "   (generated now; also kept in " + stack.options().dataDir().resolve(Stack.ADMIN_PASSWORD_FILE).normalize()
                        + ", readable by you only, where ./signage devices finds it)")
                .orElse(System.getenv("SIGNAGE_ADMIN_PASSWORD") != null
                        ? "from SIGNAGE_ADMIN_PASSWORD"
                        : "set on first start; see " + stack.options().dataDir().resolve(Stack.ADMIN_PASSWORD_FILE).normalize()
                                + " if you kept it, or restart with SIGNAGE_ADMIN_PASSWORD=... to replace it");
        StringBuilder b = new StringBuilder();
        b.append('\n');
        b.append("  signage-fleet is up (started in ").append(startup.toMillis() / 100 / 10.0).append(" s)\n");
        b.append("  ------------------------------------------------------------------\n");
        b.append("  Console       ").append(api).append("/console/   (sign in as admin; English or Japanese)\n");
        b.append("  HTTP API      ").append(api).append("/api/devices   (health ").append(api).append("/healthz, metrics ")
                .append(api).append("/metrics)\n");
        b.append("  Login         user admin, password ").append(password).append('\n');
        b.append("  MQTT broker   ").append(stack.mqttUrl()).append(stack.broker().isPresent() ? "  (embedded HiveMQ CE; terminals use "
                + stack.options().effectivePublicMqttUrl() + ")" : "  (external)").append('\n');
        stack.mqttTlsUrl().ifPresent(tls -> b.append("  MQTT mTLS     ").append(tls)
                .append("   (device certificates: ./signage device cert ID --data-dir ").append(stack.options().dataDir())
                .append(" --out DIR; CA in ").append(stack.pki().orElseThrow().caCertificateFile()).append(")\n"));
        b.append("  SQS           ").append(stack.sqsEndpoint()).append(stack.options().sqsUrl().isEmpty() ? "  (embedded ElasticMQ)" : "  (external)")
                .append('\n');
        b.append("  PostgreSQL    ").append(stack.postgresDescription()).append('\n');
        b.append("  Terminals     ").append(stack.simulator().map(s -> s.agents().size() + " simulated (sim-0001...)").orElse("none simulated"))
                .append("; register real ones with ./signage device add ID --group G\n");
        StringBuilder cli = new StringBuilder("./signage devices");
        if (!api.equals("http://127.0.0.1:8080")) {
            cli.append(" --api ").append(api);
        }
        if (!stack.options().dataDir().normalize().equals(java.nio.file.Path.of("signage-data"))) {
            cli.append(" --data-dir ").append(stack.options().dataDir());
        }
        b.append("  Try           ").append(cli).append("    |    curl -u admin:PASSWORD ").append(api).append("/api/fleet/summary\n");
        b.append("  Stop          Ctrl-C, or kill ").append(ProcessHandle.current().pid())
                .append(" (shuts down in order; a restart on the same data dir shows the same fleet)\n");
        return b.toString();
    }
}
