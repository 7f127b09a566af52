package dev.signagefleet.launcher.cli;

import dev.signagefleet.aws.AwsClients;
import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.aws.AwsSettings;
import dev.signagefleet.aws.device.AddDevice;
import dev.signagefleet.aws.device.DeviceBundle;
import dev.signagefleet.aws.plan.Names;
import dev.signagefleet.aws.plan.ProvisioningPlan;
import dev.signagefleet.aws.setup.Setup;
import dev.signagefleet.aws.setup.Step;
import dev.signagefleet.aws.service.AddService;
import dev.signagefleet.aws.service.ServiceBundle;
import dev.signagefleet.aws.setup.Teardown;
import dev.signagefleet.common.config.ConfigException;
import dev.signagefleet.common.config.Settings;
import dev.signagefleet.launcher.service.ServiceBrokerAccess;
import dev.signagefleet.launcher.stack.PipelineQueues;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@code signage aws setup|add-device|add-service|teardown}: provision AWS IoT Core and SQS for the services and the terminals. */
@Command(name = "aws", mixinStandardHelpOptions = true,
        description = "Provision AWS IoT Core and Amazon SQS for signage-fleet (see README, 'Production on AWS').",
        subcommands = {AwsCommand.SetupCommand.class, AwsCommand.AddDeviceCommand.class, AwsCommand.AddServiceCommand.class,
                AwsCommand.TeardownCommand.class})
public final class AwsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("Use: signage aws setup --region R --prefix P [--dry-run] | signage aws add-device ID"
                + " --group G --out DIR --region R --prefix P | signage aws add-service --out DIR [--name NAME] --region R --prefix P"
                + " | signage aws teardown --region R --prefix P");
        return 2;
    }

    /** Where to reach AWS and which installation: shared by the commands. */
    static final class Target {

        @Option(names = "--region", defaultValue = "${env:AWS_REGION}", paramLabel = "REGION",
                description = "AWS region, e.g. ap-northeast-1. Default: $AWS_REGION")
        String region;

        @Option(names = "--prefix", required = true, paramLabel = "P",
                description = "Names this installation's resources: queues P-{service}, policies P-device and P-services, thing groups"
                        + " P-{group}")
        String prefix;

        @Option(names = "--iot-endpoint-url", defaultValue = "${env:SIGNAGE_AWS_IOT_ENDPOINT}", paramLabel = "URL",
                description = "Another AWS IoT control-plane endpoint (tests, VPC endpoints). Default: AWS")
        URI iotEndpoint;

        @Option(names = "--sqs-endpoint-url", defaultValue = "${env:SIGNAGE_AWS_SQS_ENDPOINT}", paramLabel = "URL",
                description = "Another SQS endpoint (ElasticMQ, VPC endpoints). Default: AWS")
        URI sqsEndpoint;

        Names names() {
            return new Names(prefix);
        }

        String region() {
            if (region == null || region.isBlank()) {
                throw new AwsProvisioningException("no AWS region: give --region (e.g. ap-northeast-1) or set AWS_REGION");
            }
            return region;
        }

        /** Credentials come from the SDK's default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance role. */
        AwsSettings settings() {
            return new AwsSettings(region(), Optional.ofNullable(iotEndpoint), Optional.ofNullable(sqsEndpoint),
                    Optional.empty(), Optional.empty());
        }

        /** The pipeline's queues as the services will look for them with {@code SIGNAGE_QUEUE_PREFIX=P-}. */
        List<String> queues() {
            return PipelineQueues.topology(Settings.fromEnvironment(), names().queuePrefix()).queues();
        }
    }

    /** Runs a command body, turning what went wrong into one readable line and exit code 1. */
    interface Body {
        void run() throws IOException;
    }

    static int run(CommandSpec spec, String command, Body body) {
        try {
            body.run();
            return 0;
        } catch (AwsProvisioningException | ConfigException | SdkException e) {
            spec.commandLine().getErr().println("signage aws " + command + ": " + e.getMessage());
            return 1;
        } catch (IOException e) {
            spec.commandLine().getErr().println("signage aws " + command + ": cannot write the files: " + e);
            return 1;
        }
    }

    /** Each step is printed as soon as it is done, so a failure shows how far the command got. */
    static java.util.function.Consumer<Step> printer(PrintWriter out) {
        return step -> {
            out.println(step);
            out.flush();
        };
    }

    @Command(name = "setup", mixinStandardHelpOptions = true,
            description = "Create what the system needs, idempotently: SQS queues and dead-letter queues, the device and services"
                    + " policies, thing groups, optionally the status topic rule. Prints per resource: exists, created or updated.")
    static final class SetupCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = "--dry-run", description = "Print the plan only: no AWS call, no credentials needed")
        boolean dryRun;

        @Option(names = "--group", paramLabel = "G", description = "A signage group to create a thing group for (repeatable)")
        List<String> groups = new ArrayList<>();

        @Option(names = "--status-rule-role", paramLabel = "ARN",
                description = "IAM role AWS IoT assumes to send to SQS; with it, a topic rule forwards every status and presence to P-telemetry-status (SIGNAGE_TELEMETRY_SOURCE=sqs reads it)")
        String statusRuleRole;

        @Option(names = "--account-id", paramLabel = "ID",
                description = "AWS account id for the policy's ARNs. Default: read from the first queue's ARN (a dry run shows a placeholder)")
        String accountId;

        @Override
        public Integer call() {
            return run(spec, "setup", () -> {
                PrintWriter out = spec.commandLine().getOut();
                Names names = target.names();
                Settings env = Settings.fromEnvironment();
                ProvisioningPlan plan = ProvisioningPlan.of(target.region(), names, Optional.ofNullable(accountId),
                        PipelineQueues.topology(env, names.queuePrefix()), PipelineQueues.maxReceives(env),
                        PipelineQueues.visibility(env), ServiceBrokerAccess.grants(), groups, Optional.ofNullable(statusRuleRole));
                if (dryRun) {
                    out.println("Plan for prefix " + names.prefix() + " in " + plan.region() + " (dry run: nothing is read or changed):");
                    plan.describe().forEach(line -> out.println("plan     " + line));
                    out.flush();
                    return;
                }
                out.println("Setting up prefix " + names.prefix() + " in " + plan.region() + ":");
                List<Step> steps;
                try (IotClient iot = AwsClients.iot(target.settings()); SqsClient sqs = AwsClients.sqs(target.settings())) {
                    steps = new Setup(iot, sqs).apply(plan, printer(out));
                }
                Map<Step.Outcome, Integer> counts = new TreeMap<>();
                steps.forEach(s -> counts.merge(s.outcome(), 1, Integer::sum));
                out.println("Done: " + counts.toString().toLowerCase(java.util.Locale.ROOT) + ". Make the services' certificate and"
                        + " env file with 'signage aws add-service --out DIR --region " + plan.region() + " --prefix " + names.prefix()
                        + "'; add terminals with 'signage aws add-device ID --group G --out DIR --region " + plan.region() + " --prefix "
                        + names.prefix() + "'.");
                out.flush();
            });
        }
    }

    @Command(name = "add-device", mixinStandardHelpOptions = true,
            description = "Create a terminal's thing, key pair and certificate (policy and thing attached, in its group's thing group)"
                    + " and write its agent bundle: agent.properties, certificate, private key (owner only), Amazon Root CA 1.")
    static final class AddDeviceCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(index = "0", paramLabel = "ID", description = "Device id = thing name = MQTT client id")
        String deviceId;

        @Option(names = "--group", required = true, paramLabel = "G", description = "Its signage group (the thing's 'group' attribute)")
        String group;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the bundle to")
        Path out;

        @Option(names = "--install-dir", paramLabel = "DIR",
                description = "Where the bundle will be on the terminal (the paths in agent.properties). Default: --out")
        Path installDir;

        @Override
        public Integer call() {
            return run(spec, "add-device", () -> {
                PrintWriter print = spec.commandLine().getOut();
                Path install = installDir != null ? installDir : out.toAbsolutePath();
                DeviceBundle bundle;
                try (IotClient iot = AwsClients.iot(target.settings())) {
                    bundle = new AddDevice(iot, target.names()).add(deviceId, group, install, printer(print));
                }
                Path config;
                try {
                    config = bundle.writeTo(out);
                } catch (IOException e) {
                    throw new IOException(e.getMessage() + ". The thing " + deviceId + " and its certificate exist but the private"
                            + " key is lost: detach and delete its certificate and the thing (or 'signage aws teardown' for the whole prefix),"
                            + " then add it again", e);
                }
                print.println("Bundle for " + deviceId + " written to " + out.toAbsolutePath() + ": " + DeviceBundle.CONFIG + ", "
                        + DeviceBundle.CERTIFICATE + ", " + DeviceBundle.PRIVATE_KEY + " (owner only), AmazonRootCA1.pem");
                print.println("MQTT endpoint " + bundle.mqttUrl() + ". Copy the folder to " + install + " on the terminal and run:"
                        + " java -jar device-agent.jar --config " + install.resolve(config.getFileName()));
                print.flush();
            });
        }
    }

    @Command(name = "add-service", mixinStandardHelpOptions = true,
            description = "Create a certificate for the services (on the thing P-services-NAME, services policy attached) and write"
                    + " their bundle: services.env, certificate, private key (owner only), Amazon Root CA 1.")
    static final class AddServiceCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = "--name", defaultValue = "main", paramLabel = "NAME",
                description = "A label for this certificate, e.g. prod-1 (the thing P-services-NAME). Default: ${DEFAULT-VALUE}")
        String name;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the bundle to")
        Path out;

        @Option(names = "--install-dir", paramLabel = "DIR",
                description = "Where the bundle will be on the service hosts (the paths in services.env). Default: --out")
        Path installDir;

        @Override
        public Integer call() {
            return run(spec, "add-service", () -> {
                PrintWriter print = spec.commandLine().getOut();
                Path install = installDir != null ? installDir : out.toAbsolutePath();
                ServiceBundle bundle;
                try (IotClient iot = AwsClients.iot(target.settings())) {
                    bundle = new AddService(iot, target.names()).add(name, target.region(), install, printer(print));
                }
                Path env;
                try {
                    env = bundle.writeTo(out);
                } catch (IOException | AwsProvisioningException e) {
                    throw new AwsProvisioningException("the bundle could not be written to " + out.toAbsolutePath() + ": "
                            + e.getMessage() + ". The thing " + bundle.thing() + " and its certificate exist but the private key is"
                            + " lost: detach, deactivate and delete that certificate and the thing (or 'signage aws teardown' for the"
                            + " whole prefix), then add the service certificate again", e);
                }
                print.println("Bundle " + bundle.name() + " written to " + out.toAbsolutePath() + ": " + ServiceBundle.ENV_FILE + ", "
                        + ServiceBundle.CERTIFICATE + ", " + ServiceBundle.PRIVATE_KEY + " (owner only), AmazonRootCA1.pem");
                print.println("MQTT endpoint " + bundle.mqttUrl() + ". Copy the folder to " + install + " on the service hosts, add"
                        + " SIGNAGE_POSTGRES_URL and the rest (README, Running as services) and start each service with: set -a; . "
                        + install.resolve(env.getFileName()) + "; set +a; java -jar signage-launcher.jar service NAME");
                print.flush();
            });
        }
    }

    @Command(name = "teardown", mixinStandardHelpOptions = true,
            description = "Remove what setup, add-device and add-service made under the prefix: things and certificates (detached,"
                    + " deactivated, deleted), the topic rule, the policies, thing groups, queues. Safe to repeat.")
    static final class TeardownCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Override
        public Integer call() {
            return run(spec, "teardown", () -> {
                PrintWriter out = spec.commandLine().getOut();
                out.println("Removing prefix " + target.names().prefix() + " in " + target.region() + ":");
                try (IotClient iot = AwsClients.iot(target.settings()); SqsClient sqs = AwsClients.sqs(target.settings())) {
                    new Teardown(iot, sqs).apply(target.names(), target.queues(), printer(out));
                }
                out.println("Done.");
                out.flush();
            });
        }
    }
}
