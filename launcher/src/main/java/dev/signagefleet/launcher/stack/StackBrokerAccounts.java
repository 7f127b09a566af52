package dev.signagefleet.launcher.stack;

import dev.signagefleet.embedded.broker.BrokerAuthenticator;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import dev.signagefleet.telemetry.registry.DeviceRegistry;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who the embedded broker lets in: the stack's own services (credentials generated at each start,
 * held only in memory) and registered terminals (checked against the device registry).
 */
final class StackBrokerAccounts implements BrokerAuthenticator {

    private record ServiceAccount(BrokerPrincipal.Service principal, String password) {
    }

    private final DeviceRegistry registry;
    private final Map<String, ServiceAccount> services = new ConcurrentHashMap<>();

    StackBrokerAccounts(DeviceRegistry registry) {
        this.registry = registry;
    }

    void addService(BrokerPrincipal.Service principal, String password) {
        services.put(principal.name(), new ServiceAccount(principal, password));
    }

    @Override
    public AuthResult authenticate(String clientId, String username, String password) {
        ServiceAccount service = services.get(username);
        if (service != null) {
            boolean ok = MessageDigest.isEqual(service.password().getBytes(StandardCharsets.UTF_8),
                    password.getBytes(StandardCharsets.UTF_8));
            return ok ? new AuthResult.Accepted(service.principal())
                    : new AuthResult.Refused("wrong password for service account " + username, false);
        }
        if (!clientId.equals(username)) {
            return new AuthResult.Refused("client id '" + clientId + "' must equal the device id '" + username + "'", true);
        }
        Optional<DeviceRegistry.Device> device = registry.authenticate(username, password);
        if (device.isEmpty()) {
            return new AuthResult.Refused("unknown device or wrong credential (register it with ./signage device add)", false);
        }
        return new AuthResult.Accepted(new BrokerPrincipal.Device(device.get().deviceId(), device.get().group()));
    }

    /**
     * A terminal on the mutual-TLS listener: its certificate (checked by TLS, CN = its id) stands in
     * for the credential; it must be registered, and gets its group's permissions like any device.
     * A service account cannot log in this way.
     */
    @Override
    public AuthResult authenticateCertificate(String deviceId) {
        if (services.containsKey(deviceId) || !DeviceRegistry.ID.matcher(deviceId).matches()) {
            return new AuthResult.Refused("'" + deviceId + "' is not a device id", true);
        }
        Optional<DeviceRegistry.Device> device = registry.find(deviceId);
        if (device.isEmpty()) {
            return new AuthResult.Refused("device '" + deviceId + "' has a certificate of this broker's CA but is not registered"
                    + " (register it with ./signage device add)", false);
        }
        return new AuthResult.Accepted(new BrokerPrincipal.Device(device.get().deviceId(), device.get().group()));
    }
}
