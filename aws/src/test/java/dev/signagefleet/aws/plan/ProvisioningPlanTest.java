package dev.signagefleet.aws.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.common.sqs.QueueTopology;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The plan is computed without any network: a dry run prints it from the subscription map and TopicPolicy. */
class ProvisioningPlanTest {

    private final Names names = new Names("prod");
    private final QueueTopology topology = new QueueTopology(names.queuePrefix(), List.of(
            new QueueTopology.Subscription("content-builder", List.of("a")), new QueueTopology.Subscription("csv-ingest", List.of("b"))));

    @Test
    void everySubscribersQueueComesWithItsDeadLetterQueueFirst() {
        ProvisioningPlan plan = ProvisioningPlan.of("ap-northeast-1", names, Optional.empty(), topology, 5, Duration.ofSeconds(30),
                ExampleServices.GRANTS, List.of("osaka"), Optional.empty());

        assertThat(plan.allQueues()).containsExactly("prod-content-builder-dlq", "prod-content-builder", "prod-csv-ingest-dlq",
                "prod-csv-ingest");
        assertThat(plan.describe()).anyMatch(l -> l.contains("prod-content-builder ") && l.contains("after 5 receives"))
                .anyMatch(l -> l.contains("thing group   prod-osaka"))
                .anyMatch(l -> l.contains("\"arn:aws:iot:ap-northeast-1:" + ProvisioningPlan.ACCOUNT_PLACEHOLDER + ":client/"))
                .anyMatch(l -> l.startsWith("topic rule    none"));
    }

    @Test
    void theTelemetryRuleAddsItsQueueAndForwardsStatusAndPresenceWithTheirTopic() {
        ProvisioningPlan plan = ProvisioningPlan.of("us-east-1", names, Optional.of("123456789012"), topology, 5, Duration.ofSeconds(30),
                ExampleServices.GRANTS, List.of(), Optional.of("arn:aws:iam::123456789012:role/r"));

        assertThat(plan.queues()).endsWith("prod-telemetry-status");
        assertThat(plan.statusRule()).get().satisfies(rule -> {
            assertThat(rule.name()).isEqualTo("prod_status_to_sqs");
            // payload and mqttTopic: the fields SqsTelemetrySource (telemetry-consumer) reads
            assertThat(rule.sql()).contains("encode(*, 'base64') AS payload").contains("topic() AS mqttTopic")
                    .endsWith("FROM 'dt/signage/+/+'");
        });
        assertThat(plan.describe()).anyMatch(l -> l.contains("arn:aws:iot:us-east-1:123456789012:client/"));
    }

    @Test
    void theDryRunShowsTheServicesPolicyInFullUnderItsOwnName() {
        ProvisioningPlan plan = ProvisioningPlan.of("ap-northeast-1", names, Optional.empty(), topology, 5, Duration.ofSeconds(30),
                ExampleServices.GRANTS, List.of(), Optional.empty());

        List<String> lines = plan.describe();
        int header = lines.indexOf("iot policy    prod-services  (attached to the services' certificates: signage aws add-service):");
        assertThat(header).isPositive();
        List<String> shown = lines.subList(header + 1, lines.size()).stream().takeWhile(l -> l.startsWith(" "))
                .map(l -> l.substring(16)).toList();
        assertThat(shown).isEqualTo(plan.servicesPolicyDocument(ProvisioningPlan.ACCOUNT_PLACEHOLDER).lines().toList());
    }

    @Test
    void aPlanWithoutServicesIsRefusedRatherThanMakingAnEmptyPolicy() {
        assertThatThrownBy(() -> ProvisioningPlan.of("ap-northeast-1", names, Optional.empty(), topology, 5, Duration.ofSeconds(30),
                List.of(), List.of(), Optional.empty())).isInstanceOf(AwsProvisioningException.class).hasMessageContaining("services policy");
    }

    @Test
    void aPrefixThatWouldMakeInvalidNamesIsRefused() {
        assertThatThrownBy(() -> new Names("Prod")).isInstanceOf(AwsProvisioningException.class).hasMessageContaining("--prefix");
        assertThatThrownBy(() -> new Names("a".repeat(33))).isInstanceOf(AwsProvisioningException.class);
        assertThatThrownBy(() -> new Names("-x")).isInstanceOf(AwsProvisioningException.class);
        assertThat(new Names("signage-prod").statusRule()).isEqualTo("signage_prod_status_to_sqs");
        assertThat(new Names("signage-prod").servicesThing("prod-1")).isEqualTo("signage-prod-services-prod-1");
    }
}
