package dev.signagefleet.testing;

import dev.signagefleet.embedded.broker.BrokerAuthenticator;
import dev.signagefleet.embedded.broker.BrokerPrincipal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Credentials the test broker accepts: devices and services added by the test, plus an
 * {@code observer} service that may publish and subscribe anywhere (to drive and watch tests).
 */
public final class TestBrokerAccounts implements BrokerAuthenticator {

    public static final String OBSERVER = "test-observer";
    public static final String OBSERVER_PASSWORD = "observer-secret";

    private record Account(BrokerPrincipal principal, String password) {
    }

    private final Map<String, Account> accounts = new ConcurrentHashMap<>();

    public TestBrokerAccounts() {
        addService(new BrokerPrincipal.Service(OBSERVER, List.of("#"), List.of("#"), List.of("#"), "observers"),
                OBSERVER_PASSWORD);
    }

    public TestBrokerAccounts addDevice(String deviceId, String group, String password) {
        accounts.put(deviceId, new Account(new BrokerPrincipal.Device(deviceId, group), password));
        return this;
    }

    public TestBrokerAccounts addService(BrokerPrincipal.Service service, String password) {
        accounts.put(service.name(), new Account(service, password));
        return this;
    }

    @Override
    public AuthResult authenticate(String clientId, String username, String password) {
        Account account = accounts.get(username);
        if (account == null || !account.password().equals(password)) {
            return new AuthResult.Refused("unknown user or wrong password", false);
        }
        if (account.principal() instanceof BrokerPrincipal.Device && !clientId.equals(username)) {
            return new AuthResult.Refused("client id must equal the device id", true);
        }
        return new AuthResult.Accepted(account.principal());
    }
}
