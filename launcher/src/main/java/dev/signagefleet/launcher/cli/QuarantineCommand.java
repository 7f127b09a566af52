package dev.signagefleet.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code signage quarantine [--device ID] [--all]}: telemetry the consumer set aside, with the reason;
 * {@code signage quarantine replay ...}: put it back into the history once the cause is fixed.
 */
@Command(name = "quarantine", mixinStandardHelpOptions = true,
        description = "List quarantined telemetry (malformed, or refused by the database), with the reason.",
        subcommands = QuarantineCommand.Replay.class)
public final class QuarantineCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Option(names = "--device", paramLabel = "ID", description = "Only this device's messages")
    String device;

    @Option(names = "--all", description = "Also list those already replayed")
    boolean all;

    @Option(names = "--limit", defaultValue = "100", description = "At most this many, newest first (default ${DEFAULT-VALUE})")
    int limit;

    @Override
    public Integer call() {
        try {
            Map<String, String> query = new LinkedHashMap<>();
            query.put("limit", Integer.toString(limit));
            if (device != null) {
                query.put("deviceId", device);
            }
            if (all) {
                query.put("all", "true");
            }
            JsonNode items = api.client().get("/api/quarantine", query).path("items");
            Table table = new Table("ID", "RECEIVED", "DEVICE", "BYTES", "REPLAYED", "REASON");
            for (JsonNode q : items) {
                table.add(q.path("id").asText(), q.path("receivedAt").asText(), DevicesCommand.text(q.get("deviceId")),
                        q.path("sizeBytes").asText() + (q.path("complete").asBoolean() ? "" : " (cut)"),
                        q.hasNonNull("replayedAt") ? q.path("replayResult").asText() : "", q.path("reason").asText());
            }
            System.out.print(table.render());
            System.out.println(items.size() + " quarantined message(s)"
                    + (items.size() > 0 && !all ? "; after fixing the cause: signage quarantine replay --dry-run" : ""));
            return 0;
        } catch (CliException e) {
            System.err.println("signage quarantine: " + e.getMessage());
            return 1;
        }
    }

    /** {@code signage quarantine replay [--id N]... [--device ID] [--since T] [--dry-run]}. */
    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Put quarantined telemetry back into the history, once what made it fail is fixed.",
                    "Each message is checked again with today's rules: what is valid now is stored (once, however often",
                    "you run this), the rest stays quarantined with its reason. Try --dry-run first."})
    static final class Replay implements Callable<Integer> {

        @Mixin
        ApiOptions api;

        @Option(names = "--id", paramLabel = "N", description = "Replay this quarantine id (repeatable); default: all waiting")
        List<Long> ids = new ArrayList<>();

        @Option(names = "--device", paramLabel = "ID", description = "Only this device's messages")
        String device;

        @Option(names = "--since", paramLabel = "INSTANT", description = "Only messages received from then on (ISO-8601, e.g. 2026-11-24T09:00:00Z)")
        String since;

        @Option(names = "--dry-run", description = "Only say what would be stored; change nothing")
        boolean dryRun;

        @Override
        public Integer call() {
            try {
                ApiClient client = api.client();
                int examined = 0;
                int stored = 0;
                int duplicates = 0;
                int stillRejected = 0;
                int truncated = 0;
                int failed = 0;
                Long afterId = null;
                while (true) {
                    Map<String, Object> body = new LinkedHashMap<>();
                    if (!ids.isEmpty()) {
                        body.put("ids", ids);
                    }
                    body.put("deviceId", device);
                    body.put("since", since);
                    body.put("afterId", afterId);
                    body.put("limit", 200);
                    body.put("dryRun", dryRun);
                    JsonNode report = client.post("/api/quarantine/replay", body);
                    for (JsonNode item : report.path("items")) {
                        String result = item.path("result").asText();
                        if (!result.equals("STORED") && !result.equals("DUPLICATE") && !result.equals("ALREADY_REPLAYED")) {
                            System.out.println("  #" + item.path("id").asText() + " " + DevicesCommand.text(item.get("deviceId")) + ": "
                                    + result + " - " + item.path("detail").asText());
                        }
                    }
                    examined += report.path("examined").asInt();
                    stored += report.path("stored").asInt();
                    duplicates += report.path("duplicates").asInt();
                    stillRejected += report.path("stillRejected").asInt();
                    truncated += report.path("truncated").asInt();
                    failed += report.path("failed").asInt();
                    long more = report.path("moreWaiting").asLong();
                    if (more == 0 || !report.hasNonNull("nextAfterId")) {
                        break;
                    }
                    afterId = report.path("nextAfterId").asLong();
                    System.out.println("... " + examined + " examined, " + more + " more waiting");
                }
                int alreadyReplayed = examined - stored - duplicates - stillRejected - truncated - failed;
                System.out.printf("%s%d examined: %d %s, %d already in the history, %d still invalid, %d cut short, %d refused by the database"
                                + "%s%n", dryRun ? "Dry run, nothing changed. " : "", examined, stored, dryRun ? "would be stored" : "stored",
                        duplicates, stillRejected, truncated, failed,
                        alreadyReplayed > 0 ? ", " + alreadyReplayed + " replayed meanwhile by someone else" : "");
                return failed > 0 ? 1 : 0;
            } catch (CliException e) {
                System.err.println("signage quarantine replay: " + e.getMessage());
                return 1;
            }
        }
    }
}
