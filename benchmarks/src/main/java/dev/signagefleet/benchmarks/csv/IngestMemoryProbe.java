package dev.signagefleet.benchmarks.csv;

import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.db.Database;
import dev.signagefleet.common.db.DatabaseConfig;
import dev.signagefleet.ingest.csv.Problem;
import dev.signagefleet.ingest.upload.UploadService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Child JVM of the csv-pipeline benchmark: ingests one file with a small, fixed heap (Serial GC) and
 * prints {@code maxLiveHeapMb peakRssMb ms}, so memory per file size is measured without the
 * benchmark's own heap in the way. Args: JDBC_URL USER FILE ROWS [repeated-id]; with
 * {@code repeated-id} the file must be rejected for exactly one repeated slide_id (the second read
 * with the exact check), else stored whole. The file is passed as a path, as the HTTP API passes its
 * spooled request body.
 */
public final class IngestMemoryProbe {

    /** The last argument for a file that must be rejected for one repeated slide_id. */
    static final String REPEATED_ID = "repeated-id";

    private IngestMemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[2]);
        long rows = Long.parseLong(args[3]);
        boolean repeatedId = args.length > 4 && REPEATED_ID.equals(args[4]);
        try (Database database = Database.connect(new DatabaseConfig(args[0], args[1], new Secret(""), 2));
             HeapWatch heap = new HeapWatch()) {
            UploadService uploads = new UploadService(database.jdbi(), Clock.systemUTC(), ZoneId.of("Asia/Tokyo"));
            long start = System.nanoTime();
            UploadService.Outcome outcome = uploads.upload(file, file.getFileName().toString(), Optional.empty(), false,
                    "benchmark", null);
            double ms = (System.nanoTime() - start) / 1e6;
            String wrong = repeatedId ? wrongRejection(outcome, rows) : wrongAcceptance(outcome, rows);
            if (wrong != null) {
                System.err.println(wrong);
                System.exit(1);
                return;
            }
            long hwmKb = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0);
            System.out.printf(java.util.Locale.ROOT, "%.1f %.1f %.0f%n", heap.maxLiveMb(), hwmKb / 1024.0, ms);
        }
        System.exit(0);
    }

    private static String wrongAcceptance(UploadService.Outcome outcome, long rows) {
        if (outcome instanceof UploadService.Outcome.Accepted accepted && accepted.upload().rows() == rows) {
            return null;
        }
        return "the file was not stored whole: " + outcome;
    }

    private static String wrongRejection(UploadService.Outcome outcome, long rows) {
        if (outcome instanceof UploadService.Outcome.Rejected rejected && rejected.upload().rows() == rows
                && rejected.problems().size() == 1 && rejected.problemsOmitted() == 0
                && rejected.problems().get(0).code().equals(Problem.DUPLICATE_ID)) {
            return null;
        }
        return "the file with one repeated slide_id was not rejected for exactly that: " + outcome;
    }
}
