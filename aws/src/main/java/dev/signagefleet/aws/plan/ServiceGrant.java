package dev.signagefleet.aws.plan;

import dev.signagefleet.aws.AwsProvisioningException;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What one backend service does on the broker, as the services' AWS IoT policy grants it: the
 * client ids its instances connect with, and the topic filters of its broker account (the same
 * {@link BrokerPrincipal.Service} declaration the local broker enforces).
 *
 * @param clientIdPrefix what every instance's MQTT client id starts with (the instance name follows)
 * @param account        its publish, subscribe and shared-subscription filters
 * @param retained       whether it publishes retained messages ({@code iot:RetainPublish} on its publish filters)
 */
public record ServiceGrant(String clientIdPrefix, BrokerPrincipal.Service account, boolean retained) {

    /** Client ids as the services make them: letters, digits, '-' and '_' (no policy wildcard can sneak in). */
    private static final Pattern CLIENT_ID_PREFIX = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public ServiceGrant {
        Objects.requireNonNull(account, "account");
        if (clientIdPrefix == null || !CLIENT_ID_PREFIX.matcher(clientIdPrefix).matches()) {
            throw new AwsProvisioningException("a service's client id prefix must be 1 to 64 letters, digits, '-' or '_', was '"
                    + clientIdPrefix + "'");
        }
        if (!account.shared().isEmpty() && (account.sharedGroup() == null || account.sharedGroup().isBlank())) {
            throw new AwsProvisioningException("the broker account " + account.name() + " has shared subscriptions but no"
                    + " shared subscription group");
        }
    }
}
