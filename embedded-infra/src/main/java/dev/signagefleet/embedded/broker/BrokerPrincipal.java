package dev.signagefleet.embedded.broker;

import java.util.List;
import java.util.Objects;

/** Who is on the other end of an MQTT connection, once its credentials were accepted. */
public sealed interface BrokerPrincipal {

    String name();

    /**
     * A signage terminal. Client id = username = device id (the AWS IoT thing name).
     *
     * @param group its group, or null when it has none yet
     */
    record Device(String deviceId, String group) implements BrokerPrincipal {
        public Device {
            Objects.requireNonNull(deviceId, "deviceId");
        }

        @Override
        public String name() {
            return deviceId;
        }
    }

    /**
     * A backend service with the topic filters it may use.
     *
     * @param publish      filters it may publish to
     * @param subscribe    filters it may subscribe to directly
     * @param shared       filters it may subscribe to through a shared subscription of {@code sharedGroup}
     * @param sharedGroup  the shared subscription group, or null
     */
    record Service(String name, List<String> publish, List<String> subscribe, List<String> shared,
                   String sharedGroup) implements BrokerPrincipal {
        public Service {
            Objects.requireNonNull(name, "name");
            publish = List.copyOf(publish);
            subscribe = List.copyOf(subscribe);
            shared = List.copyOf(shared);
        }
    }
}
