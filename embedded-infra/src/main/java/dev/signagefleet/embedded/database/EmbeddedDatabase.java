package dev.signagefleet.embedded.database;

import dev.signagefleet.embedded.EmbeddedInfraException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real PostgreSQL binaries (zonky) run as a child process, data kept in a folder across restarts.
 * zonky starts Postgres with fsync and synchronous_commit off; the product turns both on, so an
 * acknowledged write survives a power cut. Tests may keep them off for speed.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;
    private final String databaseName;

    private EmbeddedDatabase(EmbeddedPostgres postgres, String databaseName) {
        this.postgres = postgres;
        this.databaseName = databaseName;
    }

    /**
     * @param dataDirectory where the cluster lives; reused when it exists
     * @param port          0 for any free port
     * @param durable       fsync and synchronous_commit on (always, for the product)
     */
    public static EmbeddedDatabase start(Path dataDirectory, int port, boolean durable) {
        try {
            Files.createDirectories(dataDirectory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("fsync", durable ? "on" : "off")
                    .setServerConfig("synchronous_commit", durable ? "on" : "off")
                    .setServerConfig("full_page_writes", durable ? "on" : "off")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("shared_buffers", "128MB");
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres postgres = builder.start();
            EmbeddedDatabase database = new EmbeddedDatabase(postgres, "signage");
            database.createDatabaseIfMissing();
            log.info("PostgreSQL running on port {} with data in {} (fsync {})", postgres.getPort(), dataDirectory,
                    database.setting("fsync"));
            return database;
        } catch (IOException | SQLException e) {
            throw new EmbeddedInfraException("cannot start the embedded PostgreSQL in " + dataDirectory
                    + " (is another stack using this data dir?)", e);
        }
    }

    private void createDatabaseIfMissing() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + databaseName + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + databaseName);
        }
    }

    /** Creates a fresh empty database (used by tests to isolate test classes). */
    public String createDatabase(String name) {
        if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("invalid database name " + name);
        }
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
            return jdbcUrl(name);
        } catch (SQLException e) {
            throw new EmbeddedInfraException("cannot create database " + name, e);
        }
    }

    public String setting(String name) {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new EmbeddedInfraException("cannot read setting " + name, e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl(databaseName);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }

    public String user() {
        return "postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    /** Stops Postgres with a fast shutdown (a checkpoint; committed data is safe). */
    @Override
    public void close() {
        try {
            postgres.close();
            log.info("PostgreSQL stopped");
        } catch (IOException e) {
            log.warn("PostgreSQL did not stop cleanly: {}", e.toString());
        }
    }
}
