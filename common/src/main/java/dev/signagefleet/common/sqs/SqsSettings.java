package dev.signagefleet.common.sqs;

import dev.signagefleet.common.config.Secret;
import java.util.Optional;

/**
 * How to reach Amazon SQS or a compatible server (ElasticMQ locally).
 *
 * @param endpoint  override of the SQS endpoint (ElasticMQ: {@code http://localhost:9324}); empty = AWS
 * @param region    AWS region, or {@code elasticmq} locally
 * @param accessKey static credentials; empty = the SDK's default chain (instance role, environment)
 */
public record SqsSettings(Optional<String> endpoint, String region, Optional<String> accessKey, Optional<Secret> secretKey) {

    /** ElasticMQ accepts any credentials; the SDK insists on having some. */
    public static SqsSettings local(String endpoint) {
        return new SqsSettings(Optional.of(endpoint), "elasticmq", Optional.of("local"), Optional.of(new Secret("local")));
    }
}
