package dev.signagefleet.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code signage devices}: the fleet as a table, filtered like the API. */
@Command(name = "devices", mixinStandardHelpOptions = true, description = "List terminals of a running stack.")
public final class DevicesCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Option(names = "--connectivity", description = "online, stale, offline or never_seen (comma-separated for several)")
    String connectivity;

    @Option(names = "--group", description = "Only this group")
    String group;

    @Option(names = "--agent-version", description = "Only this agent version")
    String agentVersion;

    @Option(names = "--content-version", description = "Only this content version")
    String contentVersion;

    @Option(names = "-q", description = "Free text over id, name and location")
    String q;

    @Option(names = "--sort", defaultValue = "deviceId", description = "deviceId, group, connectivity, lastSeen, agentVersion, contentVersion; prefix - for descending. Default: ${DEFAULT-VALUE}")
    String sort;

    @Option(names = "--limit", defaultValue = "500", description = "At most this many rows. Default: ${DEFAULT-VALUE}")
    int limit;

    @Override
    public Integer call() {
        try {
            ApiClient client = api.client();
            Map<String, String> query = new LinkedHashMap<>();
            query.put("connectivity", connectivity);
            query.put("group", group);
            query.put("agentVersion", agentVersion);
            query.put("contentVersion", contentVersion);
            query.put("q", q);
            query.put("sort", sort);
            Table table = new Table("DEVICE", "GROUP", "STATE", "SINCE", "LAST SEEN", "AGENT", "CONTENT", "CPU", "TEMP", "IP");
            int shown = 0;
            String cursor = null;
            Instant now = Instant.now();
            do {
                query.put("limit", String.valueOf(Math.min(500, limit - shown)));
                query.put("cursor", cursor);
                JsonNode page = client.get("/api/devices", query);
                for (JsonNode d : page.get("items")) {
                    JsonNode c = d.get("connectivity");
                    JsonNode s = d.get("latest");
                    table.add(d.get("deviceId").asText(), text(d.get("group")), c.get("state").asText(),
                            ago(c.get("since"), now), ago(c.get("lastSeenAt"), now),
                            s.isNull() ? null : text(s.get("agentVersion")), s.isNull() ? null : text(s.get("contentVersion")),
                            s.isNull() || s.get("cpuLoad").isNull() ? null : Math.round(s.get("cpuLoad").asDouble() * 100) + "%",
                            s.isNull() || s.get("temperatureC").isNull() ? null : s.get("temperatureC").asText() + "C",
                            s.isNull() ? null : text(s.get("ip")));
                    shown++;
                }
                cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            } while (cursor != null && shown < limit);
            System.out.print(table.render());
            System.out.println(shown + " device(s)" + (cursor != null ? " (more: raise --limit)" : ""));
            return 0;
        } catch (CliException e) {
            System.err.println("signage devices: " + e.getMessage());
            return 1;
        }
    }

    static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    static String ago(JsonNode time, Instant now) {
        if (time == null || time.isNull()) {
            return null;
        }
        Duration d = Duration.between(Instant.parse(time.asText()), now);
        if (d.isNegative()) {
            return "now";
        }
        if (d.toSeconds() < 90) {
            return d.toSeconds() + "s ago";
        }
        if (d.toMinutes() < 90) {
            return d.toMinutes() + "m ago";
        }
        if (d.toHours() < 48) {
            return d.toHours() + "h ago";
        }
        return d.toDays() + "d ago";
    }
}
