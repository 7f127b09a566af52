package dev.signagefleet.aws.service;

import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.aws.plan.Names;
import dev.signagefleet.aws.setup.IotRegistry;
import dev.signagefleet.aws.setup.Step;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.iot.IotClient;
import software.amazon.awssdk.services.iot.model.CreateKeysAndCertificateResponse;
import software.amazon.awssdk.services.iot.model.ResourceNotFoundException;

/**
 * Issues a certificate for the backend services in AWS IoT: a thing {@code {prefix}-services-{name}}
 * carrying the installation's prefix (so teardown finds it), a new key pair and certificate made by
 * AWS, the services policy and the thing attached to the certificate, and the account's data
 * endpoint; returns the bundle to write.
 */
public final class AddService {

    /** A label for the certificate (e.g. {@code prod-1}); part of the thing name, so letters, digits, '-' and '_'. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final IotClient iot;
    private final Names names;

    public AddService(IotClient iot, Names names) {
        this.iot = iot;
        this.names = names;
    }

    /**
     * @param region     the region of the installation's queues (the bundle's SIGNAGE_SQS_REGION)
     * @param installDir where the bundle will be on the service hosts (the paths in services.env)
     */
    public ServiceBundle add(String name, String region, Path installDir, Consumer<Step> out) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new AwsProvisioningException("--name must be 1 to 64 letters, digits, '-' or '_' (e.g. prod-1), was '" + name + "'");
        }
        ServiceBundle.checkInstallDir(installDir);
        String policy = names.servicesPolicy();
        String thing = names.servicesThing(name);
        String doing = "iot policy " + policy;
        try {
            try {
                iot.getPolicy(b -> b.policyName(policy));
            } catch (ResourceNotFoundException e) {
                throw new AwsProvisioningException("the services policy " + policy + " does not exist: run"
                        + " 'signage aws setup --region " + region + " --prefix " + names.prefix() + "' first", e);
            }
            IotRegistry registry = new IotRegistry(iot, names);
            doing = "thing " + thing;
            if (registry.thingExists(thing)) {
                throw new AwsProvisioningException("the thing " + thing + " already exists, so its certificate cannot be issued again"
                        + " here (the old key would stay valid). Choose another --name, or remove it first (aws iot delete-thing"
                        + " after detaching, deactivating and deleting its certificate)");
            }
            iot.createThing(b -> b.thingName(thing).attributePayload(a -> a.attributes(Map.of(Names.PREFIX_ATTRIBUTE, names.prefix()))));
            out.accept(new Step(Step.Outcome.CREATED, "thing", thing, "holds the services certificate " + name));
            doing = "certificate of " + thing;
            CreateKeysAndCertificateResponse keys = registry.issueCertificate(thing, policy, out);
            doing = "the IoT data endpoint";
            String endpoint = registry.dataEndpoint();
            return new ServiceBundle(name, names, region, thing, keys.certificateId(), endpoint, keys.certificatePem(),
                    keys.keyPair().privateKey(), installDir);
        } catch (SdkException e) {
            throw new AwsProvisioningException("AWS refused or could not be reached while working on " + doing + ": " + e.getMessage()
                    + ". Check the region, credentials and IAM permissions; 'signage aws teardown --prefix " + names.prefix()
                    + "' removes what was made", e);
        }
    }
}
