package dev.signagefleet.benchmarks.csv;

import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.db.Database;
import dev.signagefleet.common.db.DatabaseConfig;
import dev.signagefleet.ingest.upload.UploadService;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Child JVM of the csv-pipeline benchmark: ingests one file with a small, fixed heap (Serial GC) and
 * prints {@code maxLiveHeapMb peakRssMb ms}, so memory per file size is measured without the
 * benchmark's own heap in the way. Args: JDBC_URL USER FILE ROWS.
 */
public final class IngestMemoryProbe {

    private IngestMemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[2]);
        long rows = Long.parseLong(args[3]);
        try (Database database = Database.connect(new DatabaseConfig(args[0], args[1], new Secret(""), 2));
             HeapWatch heap = new HeapWatch(); InputStream in = Files.newInputStream(file)) {
            UploadService uploads = new UploadService(database.jdbi(), Clock.systemUTC(), ZoneId.of("Asia/Tokyo"));
            long start = System.nanoTime();
            UploadService.Outcome outcome = uploads.upload(in, file.getFileName().toString(), Optional.empty(), false,
                    "benchmark", null);
            double ms = (System.nanoTime() - start) / 1e6;
            if (!(outcome instanceof UploadService.Outcome.Accepted accepted) || accepted.upload().rows() != rows) {
                System.err.println("the file was not stored whole: " + outcome);
                System.exit(1);
                return;
            }
            long hwmKb = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0);
            System.out.printf(java.util.Locale.ROOT, "%.1f %.1f %.0f%n", heap.maxLiveMb(), hwmKb / 1024.0, ms);
        }
        System.exit(0);
    }
}
