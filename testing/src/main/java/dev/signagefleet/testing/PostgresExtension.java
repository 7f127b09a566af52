package dev.signagefleet.testing;

import dev.signagefleet.common.config.Secret;
import dev.signagefleet.common.db.Database;
import dev.signagefleet.common.db.DatabaseConfig;
import dev.signagefleet.embedded.database.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real PostgreSQL for tests: one server per JVM (fsync off, for speed), a fresh database per test
 * class with every migration of {@code db/migrations} applied.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {

    private static EmbeddedDatabase server;

    private Database database;
    private String jdbcUrl;

    private static synchronized EmbeddedDatabase sharedServer() {
        if (server == null) {
            java.nio.file.Path dir;
            try {
                dir = Files.createTempDirectory("signage-pg-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = EmbeddedDatabase.start(dir, 0, false);
            EmbeddedDatabase started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                TempDirs.deleteQuietly(dir);
            }, "test-postgres-stop"));
        }
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String name = "t_" + context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        if (name.length() > 60) {
            name = name.substring(0, 60);
        }
        jdbcUrl = sharedServer().createDatabase(name);
        database = Database.connect(config());
        database.migrate();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (database != null) {
            database.close();
        }
    }

    /** Settings for another pool on the same test database (e.g. a second service instance). */
    public DatabaseConfig config() {
        return new DatabaseConfig(jdbcUrl, sharedServer().user(), new Secret(""), 8);
    }

    public Database database() {
        return database;
    }

    public Jdbi jdbi() {
        return database.jdbi();
    }

    public EmbeddedDatabase server() {
        return sharedServer();
    }
}
