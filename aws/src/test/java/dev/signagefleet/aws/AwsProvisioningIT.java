package dev.signagefleet.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.aws.device.AddDevice;
import dev.signagefleet.aws.device.AmazonRootCa;
import dev.signagefleet.aws.device.DeviceBundle;
import dev.signagefleet.aws.plan.Names;
import dev.signagefleet.aws.plan.ExampleServices;
import dev.signagefleet.aws.plan.ProvisioningPlan;
import dev.signagefleet.aws.plan.ServicesPolicy;
import dev.signagefleet.aws.service.AddService;
import dev.signagefleet.aws.service.ServiceBundle;
import dev.signagefleet.aws.setup.Setup;
import dev.signagefleet.aws.setup.Step;
import dev.signagefleet.aws.setup.Teardown;
import dev.signagefleet.aws.stub.IotControlPlaneStub;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.common.sqs.QueueTopology;
import dev.signagefleet.testing.QueueServerExtension;
import dev.signagefleet.testing.TempDirs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * setup, add-device, add-service and teardown against local endpoints: the real SQS-compatible server (ElasticMQ)
 * and a stub of the AWS IoT control plane that records every call and keeps state.
 */
class AwsProvisioningIT {

    private static final String REGION = "ap-northeast-1";
    private static final String ROLE = "arn:aws:iam::000000000000:role/signage-status-to-sqs";

    @RegisterExtension
    static final QueueServerExtension queueServer = new QueueServerExtension();

    private IotControlPlaneStub iotStub;
    private IotClient iot;
    private SqsClient sqs;
    private Path dir;
    private final Names names = new Names("it-" + Long.toHexString(System.nanoTime()));

    @BeforeEach
    void start() throws Exception {
        iotStub = new IotControlPlaneStub(REGION);
        AwsSettings settings = new AwsSettings(REGION, Optional.of(iotStub.endpoint()), Optional.of(URI.create(queueServer.endpoint())),
                Optional.of("local"), Optional.of("local"));
        iot = AwsClients.iot(settings);
        sqs = AwsClients.sqs(settings);
        dir = Files.createTempDirectory("aws-it-");
    }

    @AfterEach
    void stop() {
        iot.close();
        sqs.close();
        iotStub.close();
        TempDirs.deleteQuietly(dir);
    }

    private ProvisioningPlan plan(List<String> groups, Optional<String> role) {
        QueueTopology topology = new QueueTopology(names.queuePrefix(), List.of(
                new QueueTopology.Subscription("content-builder", List.of("signage.elements.registered.v1")),
                new QueueTopology.Subscription("csv-ingest", List.of("signage.content.built.v1"))));
        return ProvisioningPlan.of(REGION, names, Optional.empty(), topology, 5, Duration.ofSeconds(30), ExampleServices.GRANTS, groups,
                role);
    }

    private List<Step> setup(ProvisioningPlan plan) {
        return new Setup(iot, sqs).apply(plan, step -> { });
    }

    @Test
    void setupCreatesQueuesWithRedrivePolicyAndASecondRunChangesNothing() {
        List<Step> first = setup(plan(List.of("osaka"), Optional.of(ROLE)));

        String builder = names.queuePrefix() + "content-builder";
        String statusQueue = names.statusQueue();
        assertThat(first).filteredOn(s -> s.resource().equals("sqs queue")).extracting(Step::name).containsExactly(
                builder + "-dlq", builder, names.queuePrefix() + "csv-ingest-dlq", names.queuePrefix() + "csv-ingest",
                statusQueue + "-dlq", statusQueue);
        assertThat(first).extracting(Step::outcome).containsOnly(Step.Outcome.CREATED);
        for (String queue : List.of(builder, names.queuePrefix() + "csv-ingest", statusQueue)) {
            Map<QueueAttributeName, String> attributes = attributes(queue);
            JsonNode redrive = json(attributes.get(QueueAttributeName.REDRIVE_POLICY));
            assertThat(redrive.path("deadLetterTargetArn").asText()).isEqualTo(attributes(queue + "-dlq").get(QueueAttributeName.QUEUE_ARN));
            assertThat(redrive.path("maxReceiveCount").asText()).isEqualTo("5");
            assertThat(attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT)).isEqualTo("30");
        }

        iotStub.clearRequests();
        List<Step> second = setup(plan(List.of("osaka"), Optional.of(ROLE)));
        assertThat(second).extracting(Step::outcome).containsOnly(Step.Outcome.EXISTS);
        assertThat(second).hasSameSizeAs(first);
        assertThat(iotStub.changes()).as("IoT calls that change something on the second run").isEmpty();
    }

    @Test
    void theDevicePolicyLetsATerminalUseOnlyItsOwnTopicsAndItsGroupsCommands() {
        setup(plan(List.of(), Optional.empty()));

        IotControlPlaneStub.Request create = iotStub.requests().stream()
                .filter(r -> r.operation().equals("POST /policies/" + names.policy())).findFirst().orElseThrow();
        String arn = "arn:aws:iot:" + REGION + ":" + IotControlPlaneStub.ACCOUNT + ":";
        String thing = "${iot:Connection.Thing.ThingName}";
        String group = "${iot:Connection.Thing.Attributes[group]}";
        JsonNode expected = json("""
                {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": "iot:Connect", "Resource": ["%1$sclient/%2$s"],
                   "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}}},
                  {"Effect": "Allow", "Action": "iot:Publish", "Resource": ["%1$stopic/dt/signage/%2$s/*"]},
                  {"Effect": "Allow", "Action": "iot:Subscribe",
                   "Resource": ["%1$stopicfilter/cmd/signage/%2$s/*", "%1$stopicfilter/cmd/signage/group/%3$s/*"]},
                  {"Effect": "Allow", "Action": "iot:Receive",
                   "Resource": ["%1$stopic/cmd/signage/%2$s/*", "%1$stopic/cmd/signage/group/%3$s/*"]}
                ]}""".formatted(arn, thing, group));
        assertThat(json(create.body().path("policyDocument").asText())).isEqualTo(expected);
    }

    @Test
    void aChangedPolicyDocumentGetsANewDefaultVersionAndOldVersionsMakeRoom() {
        setup(plan(List.of(), Optional.empty()));
        String policy = names.policy();
        // an older release's document, and four versions already kept (AWS keeps at most five)
        String old = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iot:Connect\",\"Resource\":\"*\"}]}";
        for (int v = 2; v <= 5; v++) {
            iotStub.policies.get(policy).add(new IotControlPlaneStub.Version(String.valueOf(v), old, 1_800_000_000L + v));
        }
        iotStub.defaultVersions.put(policy, "5");
        iotStub.clearRequests();

        List<Step> steps = setup(plan(List.of(), Optional.empty()));

        assertThat(steps).filteredOn(s -> s.resource().equals("iot policy") && s.name().equals(policy)).singleElement()
                .satisfies(s -> assertThat(s.outcome()).isEqualTo(Step.Outcome.UPDATED));
        assertThat(iotStub.changes()).extracting(IotControlPlaneStub.Request::operation).containsExactly(
                "DELETE /policies/" + policy + "/version/1", "POST /policies/" + policy + "/version");
        IotControlPlaneStub.Request created = iotStub.changes().get(1);
        assertThat(created.query()).containsEntry("setAsDefault", "true");
        assertThat(json(created.body().path("policyDocument").asText())).isNotEqualTo(json(old));
        assertThat(iotStub.defaultVersions.get(policy)).isEqualTo("6");

        iotStub.clearRequests();
        setup(plan(List.of(), Optional.empty()));
        assertThat(iotStub.changes()).isEmpty();
    }

    @Test
    void setupMakesTheServicesPolicyFromTheServicesGrantsAndASecondRunLeavesIt() {
        List<Step> first = setup(plan(List.of(), Optional.empty()));

        assertThat(first).filteredOn(s -> s.name().equals(names.servicesPolicy())).singleElement()
                .satisfies(s -> assertThat(s.outcome()).isEqualTo(Step.Outcome.CREATED));
        IotControlPlaneStub.Request create = iotStub.requests().stream()
                .filter(r -> r.operation().equals("POST /policies/" + names.servicesPolicy())).findFirst().orElseThrow();
        assertThat(json(create.body().path("policyDocument").asText()))
                .isEqualTo(json(ServicesPolicy.document(REGION, IotControlPlaneStub.ACCOUNT, ExampleServices.GRANTS)));

        iotStub.clearRequests();
        List<Step> second = setup(plan(List.of(), Optional.empty()));
        assertThat(second).filteredOn(s -> s.name().equals(names.servicesPolicy())).singleElement()
                .satisfies(s -> assertThat(s.outcome()).isEqualTo(Step.Outcome.EXISTS));
        assertThat(iotStub.changes()).isEmpty();
    }

    @Test
    void aServiceGainingAccessGivesTheServicesPolicyANewDefaultVersion() {
        ProvisioningPlan full = plan(List.of(), Optional.empty());
        setup(new ProvisioningPlan(REGION, names, Optional.empty(), full.queues(), 5, Duration.ofSeconds(30),
                List.of(ExampleServices.GRANTS.get(0)), List.of(), Optional.empty()));
        iotStub.clearRequests();

        List<Step> steps = setup(full);

        assertThat(steps).filteredOn(s -> s.name().equals(names.servicesPolicy())).singleElement()
                .satisfies(s -> assertThat(s.outcome()).isEqualTo(Step.Outcome.UPDATED));
        assertThat(iotStub.changes()).extracting(IotControlPlaneStub.Request::operation)
                .containsExactly("POST /policies/" + names.servicesPolicy() + "/version");
        assertThat(iotStub.defaultVersions.get(names.servicesPolicy())).isEqualTo("2");
    }

    @Test
    void aQueueWhoseSettingsDifferIsUpdatedInPlace() {
        setup(plan(List.of(), Optional.empty()));
        QueueTopology topology = new QueueTopology(names.queuePrefix(), List.of(
                new QueueTopology.Subscription("content-builder", List.of("x")), new QueueTopology.Subscription("csv-ingest", List.of("y"))));
        ProvisioningPlan changed = ProvisioningPlan.of(REGION, names, Optional.empty(), topology, 7, Duration.ofSeconds(45),
                ExampleServices.GRANTS, List.of(), Optional.empty());

        List<Step> steps = setup(changed);

        assertThat(steps).filteredOn(s -> s.outcome() == Step.Outcome.UPDATED).extracting(Step::name)
                .containsExactly(names.queuePrefix() + "content-builder", names.queuePrefix() + "csv-ingest");
        Map<QueueAttributeName, String> attributes = attributes(names.queuePrefix() + "content-builder");
        assertThat(attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT)).isEqualTo("45");
        assertThat(json(attributes.get(QueueAttributeName.REDRIVE_POLICY)).path("maxReceiveCount").asText()).isEqualTo("7");
    }

    @Test
    void addDeviceWritesABundleTheAgentAccepts() throws Exception {
        setup(plan(List.of(), Optional.empty()));
        iotStub.clearRequests();
        Path out = dir.resolve("lobby-01");

        List<Step> steps = new ArrayList<>();
        DeviceBundle bundle = new AddDevice(iot, names).add("lobby-01", "osaka", out, steps::add);
        Path config = bundle.writeTo(out);

        assertThat(iotStub.changes()).extracting(IotControlPlaneStub.Request::operation).containsExactly(
                "POST /thing-groups/" + names.thingGroup("osaka"), "POST /things/lobby-01", "PUT /thing-groups/addThingToThingGroup",
                "POST /keys-and-certificate", "PUT /target-policies/" + names.policy(), "PUT /things/lobby-01/principals");
        String certificateArn = iotStub.changes().get(4).body().path("target").asText();
        assertThat(iotStub.changes().get(5).headers()).containsEntry("x-amzn-principal", certificateArn);
        assertThat(iotStub.things.get("lobby-01").path("attributes").path("group").asText()).isEqualTo("osaka");
        assertThat(iotStub.thingGroupMembers.get(names.thingGroup("osaka"))).containsExactly("lobby-01");
        assertThat(iotStub.policyTargets.get(names.policy())).containsExactly(certificateArn);

        AgentConfig agent = AgentConfig.load(config, Map.of());
        assertThat(agent.deviceId()).isEqualTo("lobby-01");
        assertThat(agent.deviceGroup()).contains("osaka");
        assertThat(agent.mqttUrl()).isEqualTo("ssl://" + IotControlPlaneStub.DATA_ENDPOINT + ":8883");
        assertThat(agent.mqttPassword()).isEmpty();
        assertThat(agent.tls().caFile()).contains(out.toAbsolutePath().resolve(AmazonRootCa.FILE_NAME));
        assertThat(agent.tls().certFile()).contains(out.toAbsolutePath().resolve(DeviceBundle.CERTIFICATE));
        assertThat(agent.tls().keyFile()).contains(out.toAbsolutePath().resolve(DeviceBundle.PRIVATE_KEY));
        assertThat(Files.getPosixFilePermissions(out.resolve(DeviceBundle.PRIVATE_KEY)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(out.resolve(DeviceBundle.PRIVATE_KEY))).contains("PRIVATE KEY-----");
        assertThat(Files.readString(out.resolve(DeviceBundle.CERTIFICATE))).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(out.resolve(AmazonRootCa.FILE_NAME))).isEqualTo(AmazonRootCa.pem());
    }

    @Test
    void aBundleForAnotherFolderOnTheTerminalNamesThatFolder() throws Exception {
        setup(plan(List.of(), Optional.empty()));
        Path out = dir.resolve("kiosk-7");
        Path onTerminal = Path.of("/etc/signage-agent");

        Path config = new AddDevice(iot, names).add("kiosk-7", "tokyo-east", onTerminal, step -> { }).writeTo(out);

        Map<String, String> values = AgentConfig.readProperties(config);
        assertThat(values).containsEntry("tls.cert.file", onTerminal.resolve(DeviceBundle.CERTIFICATE).toString())
                .containsEntry("tls.key.file", onTerminal.resolve(DeviceBundle.PRIVATE_KEY).toString())
                .containsEntry("tls.ca.file", onTerminal.resolve(AmazonRootCa.FILE_NAME).toString());
    }

    @Test
    void addDeviceRefusesWhatTheBrokerWouldRefuseAndCreatesNothing() {
        assertThatThrownBy(() -> new AddDevice(iot, names).add("lobby-01", "osaka", dir, step -> { }))
                .isInstanceOf(AwsProvisioningException.class).hasMessageContaining("aws setup");
        setup(plan(List.of(), Optional.empty()));
        iotStub.clearRequests();
        assertThatThrownBy(() -> new AddDevice(iot, names).add("group", "osaka", dir, step -> { }))
                .isInstanceOf(AwsProvisioningException.class).hasMessageContaining("'group'");
        assertThatThrownBy(() -> new AddDevice(iot, names).add("a/b", "osaka", dir, step -> { }))
                .isInstanceOf(AwsProvisioningException.class).hasMessageContaining("device id");
        new AddDevice(iot, names).add("twice", "osaka", dir, step -> { });
        iotStub.clearRequests();
        assertThatThrownBy(() -> new AddDevice(iot, names).add("twice", "osaka", dir, step -> { }))
                .isInstanceOf(AwsProvisioningException.class).hasMessageContaining("already exists");
        assertThat(iotStub.changes()).isEmpty();
    }

    @Test
    void addServiceWritesABundleWhoseCertificateAndKeyLoadAndWhoseEnvFilePointsTheServicesAtIt() throws Exception {
        setup(plan(List.of(), Optional.empty()));
        iotStub.clearRequests();
        Path out = dir.resolve("services");
        String thing = names.servicesThing("prod-1");

        ServiceBundle bundle = new AddService(iot, names).add("prod-1", REGION, out, step -> { });
        Path envFile = bundle.writeTo(out);

        assertThat(iotStub.changes()).extracting(IotControlPlaneStub.Request::operation).containsExactly(
                "POST /things/" + thing, "POST /keys-and-certificate", "PUT /target-policies/" + names.servicesPolicy(),
                "PUT /things/" + thing + "/principals");
        String certificateArn = iotStub.changes().get(2).body().path("target").asText();
        assertThat(iotStub.policyTargets.get(names.servicesPolicy())).containsExactly(certificateArn);
        assertThat(iotStub.policyTargets.getOrDefault(names.policy(), java.util.Set.of())).isEmpty();
        assertThat(iotStub.thingPrincipals.get(thing)).containsExactly(certificateArn);
        assertThat(iotStub.things.get(thing).path("attributes").path(Names.PREFIX_ATTRIBUTE).asText()).isEqualTo(names.prefix());
        assertThat(iotStub.certificates.get(bundle.certificateId())).isEqualTo("ACTIVE");

        Path folder = out.toAbsolutePath();
        Map<String, String> env = envFile(envFile);
        assertThat(env).containsExactly(
                Map.entry("SIGNAGE_MQTT_URL", "ssl://" + IotControlPlaneStub.DATA_ENDPOINT + ":8883"),
                Map.entry("SIGNAGE_MQTT_CERT_FILE", folder.resolve("certificate.pem.crt").toString()),
                Map.entry("SIGNAGE_MQTT_KEY_FILE", folder.resolve("private.pem.key").toString()),
                Map.entry("SIGNAGE_MQTT_CA_FILE", folder.resolve("AmazonRootCA1.pem").toString()),
                Map.entry("SIGNAGE_QUEUE_PREFIX", names.queuePrefix()),
                Map.entry("SIGNAGE_SQS_PROVISION", "false"),
                Map.entry("SIGNAGE_SQS_REGION", REGION),
                Map.entry("SIGNAGE_TELEMETRY_MQTT_PASSWORD", ""),
                Map.entry("SIGNAGE_CONTENT_MQTT_PASSWORD", ""));

        X509Certificate certificate;
        try (var in = Files.newInputStream(Path.of(env.get("SIGNAGE_MQTT_CERT_FILE")))) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        PrivateKey key;
        try (PEMParser pem = new PEMParser(Files.newBufferedReader(Path.of(env.get("SIGNAGE_MQTT_KEY_FILE"))))) {
            Object read = pem.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            key = read instanceof PEMKeyPair pair ? converter.getKeyPair(pair).getPrivate() : converter.getPrivateKey((PrivateKeyInfo) read);
        }
        assertThat(belongsTo(key, certificate)).as("the private key belongs to the certificate").isTrue();
        assertThat(Files.getPosixFilePermissions(Path.of(env.get("SIGNAGE_MQTT_KEY_FILE"))))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(Path.of(env.get("SIGNAGE_MQTT_CA_FILE")))).isEqualTo(AmazonRootCa.pem());
    }

    @Test
    void addServiceNeedsSetupFirstAndNeverIssuesASecondKeyForTheSameName() {
        assertThatThrownBy(() -> new AddService(iot, names).add("prod-1", REGION, dir, step -> { }))
                .isInstanceOf(AwsProvisioningException.class).hasMessageContaining("aws setup");
        setup(plan(List.of(), Optional.empty()));
        new AddService(iot, names).add("prod-1", REGION, dir, step -> { });
        iotStub.clearRequests();

        assertThatThrownBy(() -> new AddService(iot, names).add("prod-1", REGION, dir, step -> { }))
                .isInstanceOf(AwsProvisioningException.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> new AddService(iot, names).add("prod 1", REGION, dir, step -> { }))
                .isInstanceOf(AwsProvisioningException.class).hasMessageContaining("--name");
        assertThat(iotStub.changes()).isEmpty();
    }

    @Test
    void teardownRemovesEverythingSetupAndAddDeviceMadeAndIsSafeToRepeat() {
        ProvisioningPlan plan = plan(List.of("osaka"), Optional.of(ROLE));
        setup(plan);
        new AddDevice(iot, names).add("lobby-01", "osaka", dir, step -> { });
        new AddDevice(iot, names).add("lobby-02", "nagoya", dir, step -> { });
        new AddService(iot, names).add("prod-1", REGION, dir, step -> { });
        // another installation's thing in the same account stays
        Names other = new Names(names.prefix() + "-eu");
        setup(ProvisioningPlan.of(REGION, other, Optional.of(IotControlPlaneStub.ACCOUNT), new QueueTopology(other.queuePrefix(), List.of()), 5,
                Duration.ofSeconds(30), ExampleServices.GRANTS, List.of("osaka"), Optional.empty()));
        new AddDevice(iot, other).add("berlin-01", "osaka", dir, step -> { });

        List<Step> steps = new Teardown(iot, sqs).apply(names, plan.queues(), step -> { });

        assertThat(iotStub.things).containsOnlyKeys("berlin-01");
        assertThat(iotStub.certificates).hasSize(1);
        assertThat(iotStub.policies).containsOnlyKeys(other.policy(), other.servicesPolicy());
        assertThat(iotStub.thingGroups).containsOnlyKeys(other.thingGroup("osaka"));
        assertThat(iotStub.rules).isEmpty();
        assertThat(sqs.listQueues(b -> b.queueNamePrefix(names.queuePrefix())).queueUrls())
                .noneMatch(url -> url.contains("/" + names.queuePrefix() + "c") || url.contains(names.statusQueue()));
        assertThat(steps).filteredOn(s -> s.outcome() == Step.Outcome.DELETED).extracting(Step::resource)
                .contains("thing", "certificate", "topic rule", "iot policy", "thing group", "sqs queue");
        assertThat(steps).filteredOn(s -> s.resource().equals("certificate")).extracting(Step::detail)
                .contains("deactivated", "policy " + names.policy() + " detached", "policy " + names.servicesPolicy() + " detached");
        assertThat(steps).filteredOn(s -> s.outcome() == Step.Outcome.DELETED).extracting(Step::name)
                .contains(names.servicesThing("prod-1"), names.policy(), names.servicesPolicy());

        iotStub.clearRequests();
        List<Step> again = new Teardown(iot, sqs).apply(names, plan.queues(), step -> { });
        assertThat(again).extracting(Step::outcome).containsOnly(Step.Outcome.ABSENT);
        assertThat(iotStub.changes()).isEmpty();
    }

    /** The variables of an env file as a shell would set them: KEY=VALUE lines, comments and blank lines skipped. */
    private static Map<String, String> envFile(Path file) throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            assertThat(line).as("an unquoted KEY=VALUE line").matches("[A-Z_]+=[^ '\"$]*");
            values.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        return values;
    }

    /** Whether a signature made with the key verifies with the certificate's public key. */
    private static boolean belongsTo(PrivateKey key, X509Certificate certificate) throws Exception {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] challenge = "signage-fleet".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(challenge);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(challenge);
        return verifier.verify(signature);
    }

    private Map<QueueAttributeName, String> attributes(String queue) {
        String url = sqs.getQueueUrl(b -> b.queueName(queue)).queueUrl();
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.ALL)).attributes();
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
