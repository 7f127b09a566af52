package dev.signagefleet.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code signage dead-letters [--redrive ID | --discard ID]}: messages the queues gave up on. */
@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "List dead letters (with the reason), or redrive / discard one after a fix.")
public final class DeadLettersCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Option(names = "--redrive", paramLabel = "ID", description = "Send this dead letter back to its queue")
    Long redrive;

    @Option(names = "--discard", paramLabel = "ID", description = "Mark this dead letter as dealt with")
    Long discard;

    @Option(names = "--all", description = "Also list those already redriven or discarded")
    boolean all;

    @Override
    public Integer call() {
        try {
            ApiClient client = api.client();
            if (redrive != null || discard != null) {
                long id = redrive != null ? redrive : discard;
                JsonNode letter = client.post("/api/dead-letters/" + id + (redrive != null ? "/redrive" : "/discard"), Map.of());
                System.out.println("Dead letter " + id + " " + letter.path("state").asText() + ".");
                return 0;
            }
            JsonNode items = client.get("/api/dead-letters", all ? Map.of() : Map.of("state", "dead")).path("items");
            Table table = new Table("ID", "QUEUE", "EVENT", "CORRELATION", "DEAD SINCE", "STATE", "REASON");
            for (JsonNode d : items) {
                table.add(d.path("id").asText(), d.path("queue").asText(), DevicesCommand.text(d.get("eventType")),
                        DevicesCommand.text(d.get("correlationId")), d.path("deadAt").asText(), d.path("state").asText(),
                        d.path("reason").asText());
            }
            System.out.print(table.render());
            System.out.println(items.size() + " dead letter(s)");
            return 0;
        } catch (CliException e) {
            System.err.println("signage dead-letters: " + e.getMessage());
            return 1;
        }
    }
}
