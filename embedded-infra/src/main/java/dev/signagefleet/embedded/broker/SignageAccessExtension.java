package dev.signagefleet.embedded.broker;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker's security: authenticates every CONNECT through a {@link BrokerAuthenticator}
 * and enforces {@link TopicPolicy} on every PUBLISH (the Last Will included) and SUBSCRIBE.
 * Refusals carry the MQTT 5 reason code (CONNACK 134/133, PUBACK 135, SUBACK 135) and are logged.
 */
public final class SignageAccessExtension implements ExtensionMain {

    private static final Logger log = LoggerFactory.getLogger(SignageAccessExtension.class);
    private static final String PRINCIPAL = "signage.principal";
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(10);

    private final BrokerAuthenticator authenticator;
    private final Map<String, BrokerPrincipal.Service> services = new ConcurrentHashMap<>();
    private final AtomicLong refusedConnects = new AtomicLong();
    private final AtomicLong refusedPublishes = new AtomicLong();
    private final AtomicLong refusedSubscribes = new AtomicLong();

    public SignageAccessExtension(BrokerAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> (SimpleAuthenticator) this::onConnect);
        Authorizer authorizer = new Authorizer();
        Services.securityRegistry().setAuthorizerProvider(providerInput -> authorizer);
        log.info("Broker access control active: devices are limited to their own dt/ and cmd/ topics");
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
        // nothing to release
    }

    public long refusedConnects() {
        return refusedConnects.get();
    }

    public long refusedPublishes() {
        return refusedPublishes.get();
    }

    public long refusedSubscribes() {
        return refusedSubscribes.get();
    }

    /**
     * Closes a client's connection (with reason NOT_AUTHORIZED), e.g. after its credential was
     * rotated; its Last Will is sent, and it must log in again with the new credential.
     */
    public void disconnect(String clientId, String reason) {
        Services.clientService().disconnectClient(clientId, true, DisconnectReasonCode.NOT_AUTHORIZED, reason)
                .whenComplete((done, error) -> {
                    if (Boolean.TRUE.equals(done)) {
                        log.info("Disconnected MQTT client '{}': {}", clientId, reason);
                    }
                });
    }

    private void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
        ConnectPacket connect = input.getConnectPacket();
        String clientId = connect.getClientId();
        String username = connect.getUserName().orElse("");
        String password = connect.getPassword().map(SignageAccessExtension::utf8).orElse("");
        String address = input.getConnectionInformation().getInetAddress().map(Object::toString).orElse("?");
        ConnectionAttributeStore attributes = input.getConnectionInformation().getConnectionAttributeStore();
        Async<SimpleAuthOutput> async = output.async(AUTH_TIMEOUT, TimeoutFallback.FAILURE,
                ConnackReasonCode.SERVER_UNAVAILABLE, "authentication timed out");
        boolean tls = input.getConnectionInformation().getClientTlsInformation().isPresent();
        Optional<java.security.cert.X509Certificate> certificate = input.getConnectionInformation().getClientTlsInformation()
                .flatMap(information -> information.getClientCertificate());
        Services.extensionExecutorService().submit(() -> {
            boolean resumeLater = false;
            try {
                BrokerAuthenticator.AuthResult result = tls
                        ? byCertificate(clientId, certificate)
                        : authenticator.authenticate(clientId, username, password);
                if (result instanceof BrokerAuthenticator.AuthResult.Accepted accepted) {
                    BrokerPrincipal principal = accepted.principal();
                    attributes.putAsString(PRINCIPAL, encode(principal));
                    if (principal instanceof BrokerPrincipal.Service service) {
                        services.put(service.name(), service);
                    }
                    grantDefaultPermissions(output.getDefaultPermissions(), principal);
                    if (principal instanceof BrokerPrincipal.Device) {
                        // without blocking this executor: a reconnect storm authenticates thousands at once
                        resumeLater = true;
                        dropSubscriptionsNoLongerAllowed(clientId, principal).whenComplete((done, error) -> {
                            output.authenticateSuccessfully();
                            async.resume();
                        });
                    } else {
                        output.authenticateSuccessfully();
                    }
                } else {
                    BrokerAuthenticator.AuthResult.Refused refused = (BrokerAuthenticator.AuthResult.Refused) result;
                    refusedConnects.incrementAndGet();
                    log.warn("Refused MQTT connection of client '{}' (username '{}') from {}: {}",
                            clientId, username, address, refused.reason());
                    // on the TLS listener there is no password to be wrong: the certificate is not authorized
                    output.failAuthentication(refused.badClientId() ? ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID
                            : tls ? ConnackReasonCode.NOT_AUTHORIZED : ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "not authorized");
                }
            } catch (RuntimeException e) {
                refusedConnects.incrementAndGet();
                log.error("Could not check the credentials of MQTT client '{}' (is the database reachable?): {}",
                        clientId, e.toString());
                output.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, "credential store unavailable");
            } finally {
                if (!resumeLater) {
                    async.resume();
                }
            }
        });
    }

    /**
     * A persistent session keeps its subscriptions across connections, and the broker checks them
     * only at SUBSCRIBE: a device moved to another group would go on receiving the old group's
     * commands. So at each CONNECT the session's subscriptions that this device may not make now
     * are removed. Best effort: a failure is logged and the connection goes on.
     */
    private java.util.concurrent.CompletableFuture<Void> dropSubscriptionsNoLongerAllowed(String clientId, BrokerPrincipal principal) {
        return Services.subscriptionStore().getSubscriptions(clientId)
                .thenCompose(subscriptions -> java.util.concurrent.CompletableFuture.allOf(subscriptions.stream()
                        .map(subscription -> subscription.getTopicFilter())
                        .filter(filter -> !TopicPolicy.maySubscribe(principal, filter, null))
                        .map(filter -> Services.subscriptionStore().removeSubscription(clientId, filter)
                                .thenRun(() -> log.info("Removed the subscription of '{}' to {}: no longer one of its topics"
                                        + " (moved to another group?)", clientId, filter)))
                        .toArray(java.util.concurrent.CompletableFuture[]::new)))
                .orTimeout(5, java.util.concurrent.TimeUnit.SECONDS)
                .exceptionally(error -> {
                    log.warn("Could not check the stored subscriptions of '{}' against its topics: {}", clientId, error.toString());
                    return null;
                });
    }

    /**
     * On the mutual-TLS listener the TLS handshake has checked the certificate against the CA; the
     * certificate's CN must be the client id, and that device must be known.
     */
    private BrokerAuthenticator.AuthResult byCertificate(String clientId, Optional<java.security.cert.X509Certificate> certificate) {
        if (certificate.isEmpty()) {
            return new BrokerAuthenticator.AuthResult.Refused("no client certificate on the TLS listener", false);
        }
        String commonName = commonName(certificate.get());
        if (!clientId.equals(commonName)) {
            return new BrokerAuthenticator.AuthResult.Refused("the certificate names '" + commonName
                    + "', not the client id (the client id must be the certificate's CN)", true);
        }
        return authenticator.authenticateCertificate(clientId);
    }

    private static String commonName(java.security.cert.X509Certificate certificate) {
        try {
            for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (javax.naming.InvalidNameException e) {
            // no usable name
        }
        return "";
    }

    private static void grantDefaultPermissions(ModifiableDefaultPermissions permissions, BrokerPrincipal principal) {
        for (String filter : TopicPolicy.publishFilters(principal)) {
            permissions.add(permission(filter, TopicPermission.MqttActivity.PUBLISH, null));
        }
        for (String filter : TopicPolicy.subscribeFilters(principal)) {
            permissions.add(permission(filter, TopicPermission.MqttActivity.SUBSCRIBE, null));
        }
        if (principal instanceof BrokerPrincipal.Service s && s.sharedGroup() != null) {
            for (String filter : s.shared()) {
                permissions.add(permission(filter, TopicPermission.MqttActivity.SUBSCRIBE, s.sharedGroup()));
            }
        }
        permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
    }

    private static TopicPermission permission(String filter, TopicPermission.MqttActivity activity, String sharedGroup) {
        var builder = Builders.topicPermission()
                .topicFilter(filter)
                .type(TopicPermission.PermissionType.ALLOW)
                .qos(TopicPermission.Qos.ZERO_ONE)
                .activity(activity);
        if (sharedGroup != null) {
            builder.sharedSubscription(TopicPermission.SharedSubscription.SHARED).sharedGroup(sharedGroup);
        } else {
            builder.sharedSubscription(TopicPermission.SharedSubscription.NOT_SHARED);
        }
        return builder.build();
    }

    private Optional<BrokerPrincipal> principalOf(ConnectionAttributeStore attributes) {
        return attributes.getAsString(PRINCIPAL).map(this::decode);
    }

    private static String encode(BrokerPrincipal principal) {
        if (principal instanceof BrokerPrincipal.Device d) {
            return "device\n" + d.deviceId() + "\n" + (d.group() == null ? "" : d.group());
        }
        return "service\n" + principal.name();
    }

    private BrokerPrincipal decode(String encoded) {
        String[] parts = encoded.split("\n", -1);
        if (parts[0].equals("device")) {
            return new BrokerPrincipal.Device(parts[1], parts[2].isEmpty() ? null : parts[2]);
        }
        return services.get(parts[1]);
    }

    private static String utf8(ByteBuffer buffer) {
        ByteBuffer copy = buffer.asReadOnlyBuffer();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Checks each PUBLISH and SUBSCRIBE against the topic policy, so a refusal can be logged. */
    private final class Authorizer implements PublishAuthorizer, SubscriptionAuthorizer {

        @Override
        public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
            String topic = input.getPublishPacket().getTopic();
            Optional<BrokerPrincipal> principal = principalOf(input.getConnectionInformation().getConnectionAttributeStore());
            if (principal.isPresent() && TopicPolicy.mayPublish(principal.get(), topic)) {
                output.authorizeSuccessfully();
                return;
            }
            refusedPublishes.incrementAndGet();
            String who = principal.map(BrokerPrincipal::name).orElse(input.getClientInformation().getClientId());
            log.warn("Refused publish by '{}' to '{}': not one of its topics {}", who, topic,
                    principal.map(TopicPolicy::publishFilters).orElse(java.util.List.of()));
            output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "not authorized to publish to " + topic);
        }

        @Override
        public void authorizeSubscribe(SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
            String requested = input.getSubscription().getTopicFilter();
            String shareName = null;
            String filter = requested;
            if (requested.startsWith("$share/")) {
                int slash = requested.indexOf('/', 7);
                shareName = slash < 0 ? "" : requested.substring(7, slash);
                filter = slash < 0 ? "" : requested.substring(slash + 1);
            }
            Optional<BrokerPrincipal> principal = principalOf(input.getConnectionInformation().getConnectionAttributeStore());
            if (principal.isPresent() && TopicPolicy.maySubscribe(principal.get(), filter, shareName)) {
                output.authorizeSuccessfully();
                return;
            }
            refusedSubscribes.incrementAndGet();
            String who = principal.map(BrokerPrincipal::name).orElse(input.getClientInformation().getClientId());
            log.warn("Refused subscription by '{}' to '{}': not one of its topics {}", who, requested,
                    principal.map(TopicPolicy::subscribeFilters).orElse(java.util.List.of()));
            output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not authorized to subscribe to " + requested);
        }
    }
}
