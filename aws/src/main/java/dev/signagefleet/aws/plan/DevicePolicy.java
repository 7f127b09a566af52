package dev.signagefleet.aws.plan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.embedded.broker.TopicPolicy;
import java.util.List;

/**
 * The AWS IoT policy of every terminal, derived from the rules the local broker enforces
 * ({@link TopicPolicy}) with the thing's name and its {@code group} attribute as policy variables:
 * connect only as itself (and only with a certificate attached to that thing), publish only under
 * {@code dt/signage/{itself}/}, subscribe to and receive only its own and its group's {@code cmd/} topics.
 */
public final class DevicePolicy {

    public static final String THING_NAME = "${iot:Connection.Thing.ThingName}";
    public static final String THING_GROUP = "${iot:Connection.Thing.Attributes[" + Names.GROUP_ATTRIBUTE + "]}";

    private DevicePolicy() {
    }

    /**
     * The policy document.
     *
     * @param account the AWS account id, or a placeholder in a dry run
     */
    public static String document(String region, String account) {
        BrokerPrincipal.Device device = new BrokerPrincipal.Device(THING_NAME, THING_GROUP);
        String arn = "arn:aws:iot:" + region + ":" + account + ":";
        List<String> publish = TopicPolicy.publishFilters(device).stream().map(DevicePolicy::resourcePattern).toList();
        List<String> subscribe = TopicPolicy.subscribeFilters(device).stream().map(DevicePolicy::resourcePattern).toList();

        ObjectNode policy = Json.mapper().createObjectNode();
        policy.put("Version", "2012-10-17");
        ArrayNode statements = policy.putArray("Statement");
        ObjectNode connect = statement(statements, "iot:Connect", List.of(arn + "client/" + THING_NAME));
        connect.putObject("Condition").putObject("Bool").put("iot:Connection.Thing.IsAttached", "true");
        statement(statements, "iot:Publish", publish.stream().map(t -> arn + "topic/" + t).toList());
        statement(statements, "iot:Subscribe", subscribe.stream().map(t -> arn + "topicfilter/" + t).toList());
        statement(statements, "iot:Receive", subscribe.stream().map(t -> arn + "topic/" + t).toList());
        return policy.toPrettyString();
    }

    static ObjectNode statement(ArrayNode statements, String action, List<String> resources) {
        ObjectNode statement = statements.addObject();
        statement.put("Effect", "Allow");
        statement.put("Action", action);
        ArrayNode list = statement.putArray("Resource");
        resources.forEach(list::add);
        return statement;
    }

    /**
     * An MQTT filter as an IoT policy resource pattern: a trailing {@code #} becomes {@code *} (in a
     * policy {@code *} matches any characters, so {@code topicfilter/a/*} also allows subscribing to
     * {@code a/#}). A {@code +} has no exact equivalent and is refused rather than widened.
     */
    static String resourcePattern(String filter) {
        if (filter.contains("+") || (filter.contains("#") && !filter.endsWith("/#"))) {
            throw new AwsProvisioningException("the topic filter '" + filter + "' of TopicPolicy has no exact AWS IoT policy form;"
                    + " change DevicePolicy together with TopicPolicy");
        }
        return filter.endsWith("/#") ? filter.substring(0, filter.length() - 1) + "*" : filter;
    }
}
