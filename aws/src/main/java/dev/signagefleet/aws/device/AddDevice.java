package dev.signagefleet.aws.device;

import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.aws.plan.Names;
import dev.signagefleet.aws.setup.IotRegistry;
import dev.signagefleet.aws.setup.Step;
import dev.signagefleet.embedded.broker.TopicPolicy;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.CreateKeysAndCertificateResponse;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;

/**
 * Registers one terminal in AWS IoT: its thing (with its group as the attribute the device policy
 * reads, and the installation's prefix), membership of its group's thing group, a new key pair and
 * certificate made by AWS, the device policy and the thing attached to the certificate, and the
 * account's data endpoint; returns the bundle to write.
 */
public final class AddDevice {

    /** Device and group ids as the registry and the agent accept them; also valid thing names and attribute values. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final IotClient iot;
    private final Names names;

    public AddDevice(IotClient iot, Names names) {
        this.iot = iot;
        this.names = names;
    }

    public DeviceBundle add(String deviceId, String group, Path installDir, Consumer<Step> out) {
        check(deviceId, "device id");
        check(group, "group");
        if (deviceId.equals(TopicPolicy.RESERVED_GROUP_LEVEL)) {
            throw new AwsProvisioningException("no device may be called '" + deviceId + "': cmd/signage/" + deviceId
                    + "/ is where group commands live. Choose another id");
        }
        if (dev.signagefleet.common.mqtt.ServiceClientIds.looksLikeAService(deviceId)) {
            throw new AwsProvisioningException("device id '" + deviceId + "' starts like the MQTT client id of a service ("
                    + String.join(", ", dev.signagefleet.common.mqtt.ServiceClientIds.PREFIXES)
                    + "), whose connection it could take over. Choose another id");
        }
        String doing = "iot policy " + names.policy();
        try {
            try {
                iot.getPolicy(b -> b.policyName(names.policy()));
            } catch (ResourceNotFoundException e) {
                throw new AwsProvisioningException("the device policy " + names.policy() + " does not exist: run"
                        + " 'signage aws setup --region R --prefix " + names.prefix() + "' first", e);
            }
            IotRegistry registry = new IotRegistry(iot, names);
            doing = "thing " + deviceId;
            if (registry.thingExists(deviceId)) {
                throw new AwsProvisioningException("the thing " + deviceId + " already exists, so its certificate cannot be issued"
                        + " again here (the old key would stay valid). Remove it first (aws iot delete-thing after detaching its"
                        + " certificate, or 'signage aws teardown --prefix " + names.prefix() + "' for the whole installation)");
            }
            doing = "thing group " + names.thingGroup(group);
            out.accept(registry.ensureThingGroup(group));
            doing = "thing " + deviceId;
            iot.createThing(b -> b.thingName(deviceId).attributePayload(a -> a.attributes(Map.of(
                    Names.GROUP_ATTRIBUTE, group, Names.PREFIX_ATTRIBUTE, names.prefix()))));
            out.accept(new Step(Step.Outcome.CREATED, "thing", deviceId, Names.GROUP_ATTRIBUTE + "=" + group));
            iot.addThingToThingGroup(b -> b.thingName(deviceId).thingGroupName(names.thingGroup(group)));
            out.accept(new Step(Step.Outcome.CHANGED, "thing", deviceId, "added to thing group " + names.thingGroup(group)));
            doing = "certificate of " + deviceId;
            CreateKeysAndCertificateResponse keys = registry.issueCertificate(deviceId, names.policy(), out);
            doing = "the IoT data endpoint";
            String endpoint = registry.dataEndpoint();
            return new DeviceBundle(deviceId, group, endpoint, keys.certificatePem(), keys.keyPair().privateKey(), installDir);
        } catch (SdkException e) {
            throw new AwsProvisioningException("AWS refused or could not be reached while working on " + doing + ": " + e.getMessage()
                    + ". Check the region, credentials and IAM permissions; 'signage aws teardown --prefix " + names.prefix()
                    + "' removes what was made", e);
        }
    }

    private static void check(String value, String what) {
        if (value == null || !ID.matcher(value).matches()) {
            throw new AwsProvisioningException("the " + what + " must be 1 to 64 letters, digits, '-' or '_', was '" + value + "'");
        }
    }
}
