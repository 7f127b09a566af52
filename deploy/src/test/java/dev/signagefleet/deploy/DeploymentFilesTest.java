package dev.signagefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The example deployment files stay usable: the Kubernetes manifest parses and gives every service what it
 * needs, and every variable the files set is one the services actually read (a typo would be silently ignored).
 */
class DeploymentFilesTest {

    private static final Path KUBERNETES = Path.of("kubernetes", "signage-fleet.yaml");
    private static final Path SYSTEMD_UNIT = Path.of("systemd", "signage@.service");
    private static final Path SYSTEMD_ENV = Path.of("systemd", "signage.env.example");
    private static final Set<String> SERVICES = Set.of("telemetry-consumer", "csv-ingest", "content-builder",
            "content-registry", "management");
    private static final Set<String> SHARE_THE_CONTENT_VOLUME = Set.of("content-builder", "management");
    private static final Pattern VARIABLE = Pattern.compile("SIGNAGE_[A-Z0-9_]+");

    private static List<Map<String, Object>> documents;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void parseTheManifest() throws IOException {
        documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(KUBERNETES)) {
            for (Object document : new Yaml().loadAll(reader)) {
                documents.add((Map<String, Object>) document);
            }
        }
    }

    @Test
    void kubernetesManifestHasADeploymentPerServiceWithProbesConfigAndGracefulStop() {
        List<Map<String, Object>> deployments = ofKind("Deployment");
        assertThat(deployments).extracting(d -> get(d, "metadata.name")).containsExactlyInAnyOrderElementsOf(SERVICES);
        for (Map<String, Object> deployment : deployments) {
            String name = (String) get(deployment, "metadata.name");
            Map<String, Object> container = onlyContainer(deployment);
            assertThat(container.get("args")).as(name).isEqualTo(List.of("service", name));
            assertThat((Integer) get(deployment, "spec.replicas")).as("%s replicas", name).isGreaterThanOrEqualTo(2);
            assertThat(get(container, "livenessProbe.httpGet.path")).as(name).isEqualTo("/healthz");
            assertThat(get(container, "readinessProbe.httpGet.path")).as(name).isEqualTo("/readyz");
            assertThat(get(container, "startupProbe.httpGet.path")).as(name).isEqualTo("/healthz");
            assertThat((Integer) get(deployment, "spec.template.spec.terminationGracePeriodSeconds")).as(name)
                    .isGreaterThanOrEqualTo(30);
            assertThat(get(container, "resources.requests.memory")).as(name).isNotNull();
            assertThat(get(container, "resources.limits.memory")).as(name).isNotNull();
            assertThat(get(deployment, "spec.template.spec.securityContext.runAsUser")).as(name).isEqualTo(10001);
            assertThat(String.valueOf(container.get("envFrom"))).as(name).contains("signage-config", "signage-secrets");
            String port = name.equals("management") ? "SIGNAGE_HTTP_PORT" : "SIGNAGE_OPS_PORT";
            assertThat(String.valueOf(container.get("env"))).as(name).contains(port, "SIGNAGE_INSTANCE", "metadata.name");
            assertThat(String.valueOf(get(deployment, "spec.template.spec.volumes"))).as(name)
                    .matches(volumes -> volumes.contains("signage-content") == SHARE_THE_CONTENT_VOLUME.contains(name),
                            "mounts the content volume only if it shares the packages");
        }
        assertThat(ofKind("ConfigMap")).extracting(d -> get(d, "metadata.name")).containsExactly("signage-config");
        assertThat(ofKind("Secret")).extracting(d -> get(d, "metadata.name")).containsExactly("signage-secrets");
    }

    @Test
    void contentVolumeIsReadWriteManyAndManagementIsBehindAService() {
        assertThat(ofKind("PersistentVolumeClaim")).singleElement()
                .satisfies(claim -> assertThat(get(claim, "spec.accessModes")).isEqualTo(List.of("ReadWriteMany")));
        assertThat(ofKind("Service")).singleElement().satisfies(service -> {
            assertThat(get(service, "spec.selector.app.kubernetes.io/name")).isEqualTo("management");
        });
    }

    @Test
    void systemdUnitRunsTheNamedServiceAndTreatsSigtermAsSuccess() throws IOException {
        String unit = Files.readString(SYSTEMD_UNIT);
        assertThat(unit).contains("ExecStart=/usr/bin/java $JAVA_OPTS -jar /opt/signage-fleet/signage-launcher.jar service %i",
                "EnvironmentFile=/etc/signage-fleet/signage.env", "SuccessExitStatus=143", "Restart=on-failure",
                "RestartPreventExitStatus=2", "NoNewPrivileges=yes", "ProtectSystem=strict");
        assertThat(unit).doesNotContain("MemoryDenyWriteExecute=yes"); // the JIT needs it off
    }

    @Test
    void everyVariableTheFilesSetIsOneTheServicesRead() throws IOException {
        Set<String> used = new TreeSet<>();
        for (Path file : List.of(KUBERNETES, SYSTEMD_UNIT, SYSTEMD_ENV)) {
            Matcher matcher = VARIABLE.matcher(Files.readString(file));
            while (matcher.find()) {
                used.add(matcher.group());
            }
        }
        String sources = mainSources(Path.of(".."));
        assertThat(used).isNotEmpty().allSatisfy(variable -> assertThat(sources)
                .as("%s is set in the deployment files but read nowhere in the services' code", variable)
                .contains("\"" + variable + "\""));
    }

    private static String mainSources(Path root) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files
                    .filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/"))::iterator) {
                all.append(Files.readString(file)).append('\n');
            }
        }
        return all.toString();
    }

    private static List<Map<String, Object>> ofKind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> onlyContainer(Map<String, Object> deployment) {
        List<Map<String, Object>> containers = (List<Map<String, Object>>) get(deployment, "spec.template.spec.containers");
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    /** A value by its dotted path; a key with dots in it (app.kubernetes.io/name) is matched as a whole. */
    @SuppressWarnings("unchecked")
    private static Object get(Map<String, Object> map, String path) {
        Object value = map;
        String rest = path;
        while (!rest.isEmpty()) {
            Map<String, Object> current = (Map<String, Object>) value;
            if (current.containsKey(rest)) {
                return current.get(rest);
            }
            int dot = rest.indexOf('.');
            String key = dot < 0 ? rest : rest.substring(0, dot);
            value = current.get(key);
            if (value == null) {
                return null;
            }
            rest = dot < 0 ? "" : rest.substring(dot + 1);
        }
        return value;
    }
}
