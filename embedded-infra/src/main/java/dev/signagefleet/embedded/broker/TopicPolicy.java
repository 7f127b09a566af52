package dev.signagefleet.embedded.broker;

import java.util.ArrayList;
import java.util.List;

/**
 * The topic rules the local broker enforces; the AWS IoT policy in production says the same:
 * a device publishes only under {@code dt/signage/{its id}/} and subscribes only to
 * {@code cmd/signage/{its id}/#} and {@code cmd/signage/group/{its group}/#}.
 */
public final class TopicPolicy {

    private TopicPolicy() {
    }

    /** The topic level under which group commands live; no device may be called so. */
    public static final String RESERVED_GROUP_LEVEL = "group";

    public static List<String> publishFilters(BrokerPrincipal principal) {
        if (principal instanceof BrokerPrincipal.Device d) {
            return List.of("dt/signage/" + d.deviceId() + "/#");
        }
        return ((BrokerPrincipal.Service) principal).publish();
    }

    public static List<String> subscribeFilters(BrokerPrincipal principal) {
        if (principal instanceof BrokerPrincipal.Device d) {
            List<String> filters = new ArrayList<>();
            // a device called "group" would otherwise subscribe to every group's commands
            if (!d.deviceId().equals(RESERVED_GROUP_LEVEL)) {
                filters.add("cmd/signage/" + d.deviceId() + "/#");
            }
            if (d.group() != null) {
                filters.add("cmd/signage/group/" + d.group() + "/#");
            }
            return filters;
        }
        return ((BrokerPrincipal.Service) principal).subscribe();
    }

    public static boolean mayPublish(BrokerPrincipal principal, String topic) {
        return publishFilters(principal).stream().anyMatch(filter -> TopicFilters.matches(filter, topic));
    }

    /**
     * May the principal subscribe to {@code filter}? For a shared subscription, {@code shareName}
     * is its group ({@code $share/{group}/...}), else null.
     */
    public static boolean maySubscribe(BrokerPrincipal principal, String filter, String shareName) {
        if (shareName != null) {
            return principal instanceof BrokerPrincipal.Service s
                    && shareName.equals(s.sharedGroup())
                    && s.shared().stream().anyMatch(allowed -> TopicFilters.covers(allowed, filter));
        }
        return subscribeFilters(principal).stream().anyMatch(allowed -> TopicFilters.covers(allowed, filter));
    }
}
