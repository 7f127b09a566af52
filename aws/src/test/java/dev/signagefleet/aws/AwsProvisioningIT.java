package dev.signagefleet.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.signagefleet.agent.config.AgentConfig;
import dev.signagefleet.aws.device.AddDevice;
import dev.signagefleet.aws.device.AmazonRootCa;
import dev.signagefleet.aws.device.DeviceBundle;
import dev.signagefleet.aws.plan.Names;
import dev.signagefleet.aws.plan.ProvisioningPlan;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * setup, add-device and teardown against local endpoints: the real SQS-compatible server (ElasticMQ)
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
        return ProvisioningPlan.of(REGION, names, Optional.empty(), topology, 5, Duration.ofSeconds(30), groups, role);
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

        assertThat(steps).filteredOn(s -> s.resource().equals("iot policy")).singleElement()
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
    void aQueueWhoseSettingsDifferIsUpdatedInPlace() {
        setup(plan(List.of(), Optional.empty()));
        QueueTopology topology = new QueueTopology(names.queuePrefix(), List.of(
                new QueueTopology.Subscription("content-builder", List.of("x")), new QueueTopology.Subscription("csv-ingest", List.of("y"))));
        ProvisioningPlan changed = ProvisioningPlan.of(REGION, names, Optional.empty(), topology, 7, Duration.ofSeconds(45), List.of(),
                Optional.empty());

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
    void teardownRemovesEverythingSetupAndAddDeviceMadeAndIsSafeToRepeat() {
        ProvisioningPlan plan = plan(List.of("osaka"), Optional.of(ROLE));
        setup(plan);
        new AddDevice(iot, names).add("lobby-01", "osaka", dir, step -> { });
        new AddDevice(iot, names).add("lobby-02", "nagoya", dir, step -> { });
        // another installation's thing in the same account stays
        Names other = new Names(names.prefix() + "-eu");
        setup(ProvisioningPlan.of(REGION, other, Optional.of(IotControlPlaneStub.ACCOUNT), new QueueTopology(other.queuePrefix(), List.of()), 5,
                Duration.ofSeconds(30), List.of("osaka"), Optional.empty()));
        new AddDevice(iot, other).add("berlin-01", "osaka", dir, step -> { });

        List<Step> steps = new Teardown(iot, sqs).apply(names, plan.queues(), step -> { });

        assertThat(iotStub.things).containsOnlyKeys("berlin-01");
        assertThat(iotStub.certificates).hasSize(1);
        assertThat(iotStub.policies).containsOnlyKeys(other.policy());
        assertThat(iotStub.thingGroups).containsOnlyKeys(other.thingGroup("osaka"));
        assertThat(iotStub.rules).isEmpty();
        assertThat(sqs.listQueues(b -> b.queueNamePrefix(names.queuePrefix())).queueUrls())
                .noneMatch(url -> url.contains("/" + names.queuePrefix() + "c") || url.contains(names.statusQueue()));
        assertThat(steps).filteredOn(s -> s.outcome() == Step.Outcome.DELETED).extracting(Step::resource)
                .contains("thing", "certificate", "topic rule", "iot policy", "thing group", "sqs queue");
        assertThat(steps).filteredOn(s -> s.resource().equals("certificate")).extracting(Step::detail)
                .contains("deactivated");

        iotStub.clearRequests();
        List<Step> again = new Teardown(iot, sqs).apply(names, plan.queues(), step -> { });
        assertThat(again).extracting(Step::outcome).containsOnly(Step.Outcome.ABSENT);
        assertThat(iotStub.changes()).isEmpty();
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
