package dev.signagefleet.aws.plan;

import dev.signagefleet.aws.AwsProvisioningException;
import java.util.regex.Pattern;

/**
 * How the resources of one installation are named from its prefix, so that setup, add-device and
 * teardown find the same ones. Things are named by the device id alone (thing name = MQTT client
 * id = device id, which the device policy relies on); they carry the prefix as an attribute. The
 * services' certificates hang on things named {@code {prefix}-services-{name}}, with the same attribute.
 */
public record Names(String prefix) {

    /** SQS queue names allow 80 characters; the longest suffix is {@code -content-registry-dlq}. */
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    /** The thing attribute naming the installation a thing belongs to. */
    public static final String PREFIX_ATTRIBUTE = "signagePrefix";

    /** The thing attribute holding the device's group; the device policy reads it. */
    public static final String GROUP_ATTRIBUTE = "group";

    public Names {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new AwsProvisioningException("--prefix must be 1 to 32 lowercase letters, digits or '-' (starting with a letter"
                    + " or digit), e.g. 'signage-prod'; was '" + prefix + "'");
        }
    }

    /** What queue names start with: the services' {@code SIGNAGE_QUEUE_PREFIX}. */
    public String queuePrefix() {
        return prefix + "-";
    }

    public String policy() {
        return prefix + "-device";
    }

    /** The policy of the backend services' certificates ({@code signage aws add-service}). */
    public String servicesPolicy() {
        return prefix + "-services";
    }

    /** The thing that holds a services certificate, so teardown finds it by the prefix attribute like a terminal's. */
    public String servicesThing(String name) {
        return servicesPolicy() + "-" + name;
    }

    public String thingGroup(String group) {
        return prefix + "-" + group;
    }

    /** The queue the status topic rule fills (the telemetry consumer's source when it reads SQS). */
    public String statusQueue() {
        return queuePrefix() + "telemetry-status";
    }

    /** Topic rule names allow only letters, digits and underscores. */
    public String statusRule() {
        return prefix.replace('-', '_') + "_status_to_sqs";
    }
}
