package dev.signagefleet.aws;

import java.net.URI;
import java.util.Optional;

/**
 * How to reach AWS IoT's control plane and SQS.
 *
 * @param region      AWS region, e.g. {@code ap-northeast-1}
 * @param iotEndpoint override of the IoT control-plane endpoint (a local stub in tests); empty = AWS
 * @param sqsEndpoint override of the SQS endpoint (ElasticMQ in tests); empty = AWS
 * @param accessKey   static credentials; empty = the SDK's default chain (environment, profile, instance role)
 * @param secretKey   the secret of {@code accessKey}
 */
public record AwsSettings(String region, Optional<URI> iotEndpoint, Optional<URI> sqsEndpoint,
                          Optional<String> accessKey, Optional<String> secretKey) {

    public AwsSettings {
        if (region == null || !region.matches("[a-z0-9-]{2,40}")) {
            throw new AwsProvisioningException("the AWS region must look like ap-northeast-1, was '" + region + "'");
        }
    }

    /** AWS itself, with the SDK's default credentials chain. */
    public static AwsSettings aws(String region) {
        return new AwsSettings(region, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }
}
