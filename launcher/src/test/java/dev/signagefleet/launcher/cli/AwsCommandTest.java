package dev.signagefleet.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signagefleet.common.sqs.QueueTopology;
import dev.signagefleet.launcher.SignageCommand;
import dev.signagefleet.launcher.stack.PipelineQueues;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code signage aws}: the dry run works offline, from the product's own declarations. */
class AwsCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new SignageCommand()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    }

    @Test
    void aDryRunPlansEveryPipelineQueueAndTheDevicePolicyWithoutAnyNetworkCall() throws Exception {
        try (ServerSocketChannel endpoint = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            endpoint.configureBlocking(false);
            String url = "http://127.0.0.1:" + endpoint.socket().getLocalPort();

            int exit = run("aws", "setup", "--region", "ap-northeast-1", "--prefix", "prod", "--dry-run", "--group", "osaka",
                    "--iot-endpoint-url", url, "--sqs-endpoint-url", url);

            assertThat(exit).as(err.toString()).isZero();
            assertThat(endpoint.accept()).as("a connection to the AWS endpoints during a dry run").isNull();
        }
        String plan = out.toString();
        for (QueueTopology.Subscription subscription : PipelineQueues.DEFAULT_SUBSCRIPTIONS) {
            assertThat(plan).contains("sqs queue     prod-" + subscription.consumer() + "  (visibility 30 s; to prod-"
                    + subscription.consumer() + "-dlq after 5 receives)");
            assertThat(plan).contains("sqs queue     prod-" + subscription.consumer() + "-dlq  (dead-letter queue");
        }
        assertThat(plan).contains("iot policy    prod-device", "client/${iot:Connection.Thing.ThingName}",
                "topicfilter/cmd/signage/group/${iot:Connection.Thing.Attributes[group]}/*", "thing group   prod-osaka");
        assertThat(plan).contains("iot policy    prod-services", "arn:aws:iot:ap-northeast-1:<account-id>:client/telemetry-consumer-*",
                "client/management-*", "topicfilter/$share/telemetry/dt/signage/+/presence", "\"iot:RetainPublish\"");
        assertThat(plan).doesNotContain("created", "exists");
    }

    @Test
    void addServiceRefusesABadNameOrInstallFolderBeforeAnyNetworkCall() throws Exception {
        try (ServerSocketChannel endpoint = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            endpoint.configureBlocking(false);
            String url = "http://127.0.0.1:" + endpoint.socket().getLocalPort();

            int badName = run("aws", "add-service", "--region", "eu-west-1", "--prefix", "prod", "--name", "prod 1", "--out", "x",
                    "--iot-endpoint-url", url);
            int badFolder = run("aws", "add-service", "--region", "eu-west-1", "--prefix", "prod", "--out", "x",
                    "--install-dir", "/opt/signage services", "--iot-endpoint-url", url);

            assertThat(badName).isEqualTo(1);
            assertThat(badFolder).isEqualTo(1);
            assertThat(endpoint.accept()).as("a connection to the AWS endpoint").isNull();
        }
        assertThat(err.toString()).contains("--name must be", "--install-dir");
    }

    @Test
    void withoutARegionItSaysWhatToGive() {
        int exit = run("aws", "teardown", "--prefix", "prod", "--region", "");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("--region").contains("AWS_REGION");
    }

    @Test
    void aBadPrefixIsExplainedBeforeAnythingHappens() {
        int exit = run("aws", "setup", "--region", "eu-west-1", "--prefix", "Prod_1", "--dry-run");

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("--prefix must be");
    }
}
