package dev.signagefleet.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code signage upload FILE [--dry-run] [--wait]}: upload a slides CSV and follow its journey. */
@Command(name = "upload", mixinStandardHelpOptions = true,
        description = "Upload a slides CSV (UTF-8 or Shift_JIS). With --wait, follow it to DONE or FAILED (exit 1 on failure).")
public final class UploadCommand implements Callable<Integer> {

    @Mixin
    ApiOptions api;

    @Parameters(index = "0", paramLabel = "FILE", description = "The CSV file")
    Path file;

    @Option(names = "--dry-run", description = "Only check the file; store nothing")
    boolean dryRun;

    @Option(names = "--charset", description = "The file's encoding when detection should not decide (UTF-8, Shift_JIS)")
    String charset;

    @Option(names = "--wait", description = "Follow the upload until it is DONE or FAILED")
    boolean await;

    @Option(names = "--timeout", defaultValue = "600", description = "Seconds to wait with --wait. Default: ${DEFAULT-VALUE}")
    long timeoutSeconds;

    @Override
    public Integer call() {
        try {
            if (!Files.isReadable(file)) {
                System.err.println("signage upload: cannot read " + file);
                return 2;
            }
            long size = Files.size(file);
            ApiClient client = api.client();
            StringBuilder query = new StringBuilder("?filename=").append(java.net.URLEncoder.encode(
                    file.getFileName().toString(), java.nio.charset.StandardCharsets.UTF_8));
            if (dryRun) {
                query.append("&dryRun=true");
            }
            if (charset != null) {
                query.append("&charset=").append(java.net.URLEncoder.encode(charset, java.nio.charset.StandardCharsets.UTF_8));
            }
            Progress progress = new Progress(size);
            ApiClient.Answer answer = client.postFile("/api/uploads" + query, file, "text/csv", progress::sent);
            progress.done();
            return report(client, answer);
        } catch (CliException e) {
            System.err.println("signage upload: " + e.getMessage());
            return 1;
        } catch (java.io.IOException e) {
            System.err.println("signage upload: " + e.getMessage());
            return 1;
        }
    }

    private int report(ApiClient client, ApiClient.Answer answer) {
        JsonNode body = answer.body();
        if (answer.status() == 422) {
            JsonNode errors = body.path("errors");
            System.err.println(body.path("detail").asText("The file has problems."));
            Table table = new Table("LINE", "COLUMN", "CODE", "MESSAGE");
            int shown = 0;
            for (JsonNode e : errors) {
                if (shown++ == 50) {
                    break;
                }
                table.add(e.path("line").asText(), DevicesCommand.text(e.get("column")), e.path("code").asText(),
                        e.path("message").asText());
            }
            System.err.print(table.render());
            long more = errors.size() - Math.min(50, errors.size()) + body.path("errorsOmitted").asLong();
            if (more > 0) {
                System.err.println("... and " + more + " more.");
            }
            if (body.hasNonNull("errorReport")) {
                System.err.println("Full report (CSV): " + body.get("errorReport").asText());
            }
            return 1;
        }
        if (answer.status() >= 400) {
            System.err.println("signage upload: " + body.path("title").asText("HTTP " + answer.status()) + ": "
                    + body.path("detail").asText(""));
            return 1;
        }
        if (dryRun) {
            System.out.println("Valid: " + body.path("rows").asLong() + " row(s), " + body.path("charset").asText()
                    + (body.path("charsetDetected").asBoolean() ? " (detected)" : ""));
            body.path("warnings").forEach(w -> System.out.println("warning: " + w.asText()));
            return 0;
        }
        String id = body.path("uploadId").asText();
        System.out.println((body.path("existing").asBoolean() ? "Already uploaded as " : "Accepted as ") + id + ": "
                + body.path("rows").asLong() + " row(s), " + body.path("charset").asText() + ", status " + body.path("status").asText());
        body.path("warnings").forEach(w -> System.out.println("warning: " + w.asText()));
        return await ? follow(client, id) : 0;
    }

    /** Prints each new step of the journey until the upload is DONE or FAILED. */
    private int follow(ApiClient client, String id) {
        Set<String> printed = new HashSet<>();
        Instant deadline = Instant.now().plusSeconds(timeoutSeconds);
        String lastTerminals = "";
        while (Instant.now().isBefore(deadline)) {
            JsonNode upload = client.get("/api/uploads/" + id, Map.of());
            for (JsonNode step : upload.path("timeline")) {
                String key = step.path("type").asText() + step.path("subject").asText() + step.path("time").asText();
                if (printed.add(key)) {
                    System.out.printf("%s  %-16s %-36s %s%n", step.path("time").asText(), step.path("stage").asText(),
                            step.path("type").asText(), step.path("subject").asText());
                }
            }
            String terminals = upload.path("terminals").path("text").asText("");
            if (!terminals.equals(lastTerminals)) {
                System.out.println("terminals showing it: " + terminals);
                lastTerminals = terminals;
            }
            String status = upload.path("status").asText();
            if (status.equals("DONE")) {
                System.out.println("DONE");
                return 0;
            }
            if (status.equals("FAILED")) {
                System.err.println("FAILED: " + upload.path("reason").asText("no reason given"));
                return 1;
            }
            if (upload.has("stuck")) {
                System.err.println("STUCK in " + status + ": " + upload.path("stuck").path("message").asText());
                for (JsonNode letter : upload.path("stuck").path("deadLetters")) {
                    System.err.println("  " + letter.path("eventType").asText() + " on " + letter.path("queue").asText() + ": "
                            + letter.path("reason").asText() + " (after fixing the cause: signage dead-letters --redrive "
                            + letter.path("deadLetterId").asText() + ")");
                }
                return 1;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        System.err.println("signage upload: still not finished after " + Duration.ofSeconds(timeoutSeconds).toMinutes()
                + " min; follow it with GET /api/uploads/" + id);
        return 2;
    }

    /** A progress bar on stderr for files big enough to wait for. */
    private static final class Progress {
        private final long total;
        private int lastPercent = -1;

        Progress(long total) {
            this.total = total;
        }

        void sent(long bytes) {
            if (total < 1_000_000) {
                return;
            }
            int percent = (int) Math.min(100, bytes * 100 / total);
            if (percent != lastPercent) {
                lastPercent = percent;
                int filled = percent / 4;
                System.err.print("\ruploading [" + "#".repeat(filled) + " ".repeat(25 - filled) + "] " + percent + "% ");
            }
        }

        void done() {
            if (lastPercent >= 0) {
                System.err.println();
            }
        }
    }
}
