package dev.signagefleet.aws.plan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.signagefleet.common.json.Json;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The AWS IoT policy of the backend services' certificates, derived from what each service does on
 * the broker ({@link ServiceGrant}s): connect with its client ids ({@code {prefix}*}), publish (and,
 * where it publishes retained messages, retain) on its publish filters, subscribe to its shared
 * subscriptions and receive what they deliver. One policy for all services, so one certificate
 * serves every service of an installation.
 */
public final class ServicesPolicy {

    private ServicesPolicy() {
    }

    /**
     * The policy document.
     *
     * @param account the AWS account id, or a placeholder in a dry run
     */
    public static String document(String region, String account, List<ServiceGrant> services) {
        String arn = "arn:aws:iot:" + region + ":" + account + ":";
        Set<String> connect = new LinkedHashSet<>();
        Set<String> publish = new LinkedHashSet<>();
        Set<String> retain = new LinkedHashSet<>();
        Set<String> subscribe = new LinkedHashSet<>();
        Set<String> receive = new LinkedHashSet<>();
        for (ServiceGrant service : services) {
            connect.add(arn + "client/" + service.clientIdPrefix() + "*");
            for (String filter : service.account().publish()) {
                String topic = arn + "topic/" + DevicePolicy.resourcePattern(filter);
                publish.add(topic);
                if (service.retained()) {
                    retain.add(topic);
                }
            }
            for (String filter : service.account().subscribe()) {
                subscribe.add(arn + "topicfilter/" + DevicePolicy.resourcePattern(filter));
                receive.add(arn + "topic/" + DevicePolicy.resourcePattern(filter));
            }
            for (String filter : service.account().shared()) {
                String group = service.account().sharedGroup();
                subscribe.add(arn + "topicfilter/" + sharedSubscription(group, filter));
                // Receive is granted on the topic and on its $share form: AWS's own shared-subscription sample
                // (aws-iot-device-sdk) grants both, and no topic under $share can be published to.
                receive.add(arn + "topic/" + receivePattern(filter));
                receive.add(arn + "topic/" + sharedSubscription(group, receivePattern(filter)));
            }
        }
        ObjectNode policy = Json.mapper().createObjectNode();
        policy.put("Version", "2012-10-17");
        ArrayNode statements = policy.putArray("Statement");
        add(statements, "iot:Connect", connect);
        add(statements, "iot:Publish", publish);
        add(statements, "iot:RetainPublish", retain);
        add(statements, "iot:Subscribe", subscribe);
        add(statements, "iot:Receive", receive);
        return policy.toPrettyString();
    }

    /**
     * The filter a service subscribes with, as its {@code topicfilter/} resource. AWS IoT treats
     * {@code +} and {@code #} in a policy as plain characters, so {@code $share/telemetry/dt/signage/+/status}
     * allows exactly that subscription and nothing wider.
     */
    static String sharedSubscription(String group, String filter) {
        return "$share/" + group + "/" + filter;
    }

    /**
     * The topics a filter delivers, as a {@code topic/} resource for {@code iot:Receive}: each
     * {@code +} level and a trailing {@code #} become {@code *}. A policy's {@code *} also spans
     * levels, but Receive is checked only on messages the exact subscription above delivers, so this
     * lets nothing more through.
     */
    static String receivePattern(String filter) {
        return String.join("/", Arrays.stream(filter.split("/", -1))
                .map(level -> level.equals("+") || level.equals("#") ? "*" : level).toList());
    }

    private static void add(ArrayNode statements, String action, Collection<String> resources) {
        if (!resources.isEmpty()) {
            DevicePolicy.statement(statements, action, List.copyOf(resources));
        }
    }
}
