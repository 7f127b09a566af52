package dev.signagefleet.common.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A pooled connection to PostgreSQL, the schema migrations, and the Jdbi handle used by repositories. */
public final class Database implements AutoCloseable {

    /** Flyway location of {@code db/migrations}, which the common module ships inside its jar. */
    public static final String MIGRATIONS = "classpath:db/migrations";

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    }

    /** Connects, failing within 30 s when the database cannot be reached (for start-up). */
    public static Database connect(DatabaseConfig config) {
        return connect(config, 30_000, 10_000);
    }

    /**
     * A pool that does not connect until first used, so it can be created while the database is
     * down; each later request for a connection waits at most {@code connectionTimeout}.
     */
    public static Database connectLazily(DatabaseConfig config, java.time.Duration connectionTimeout) {
        return connect(config, -1, connectionTimeout.toMillis());
    }

    private static Database connect(DatabaseConfig config, long initializationFailTimeout, long connectionTimeout) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password().value());
        hikari.setMaximumPoolSize(config.maxPool());
        hikari.setPoolName("signage-db");
        // Fail at start when the database is unreachable (unless lazy), but let the pool recover later.
        hikari.setInitializationFailTimeout(initializationFailTimeout);
        hikari.setConnectionTimeout(connectionTimeout);
        hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        hikari.addDataSourceProperty("ApplicationName", "signage-fleet");
        return new Database(new HikariDataSource(hikari));
    }

    /** Applies pending migrations from {@code db/migrations}; safe to call from several processes. */
    public void migrate() {
        MigrateResult result = Flyway.configure()
                .dataSource(dataSource)
                .locations(MIGRATIONS)
                .load()
                .migrate();
        log.info("Database schema at version {} ({} migration(s) applied now)",
                result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion,
                result.migrationsExecuted);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** True when a connection can be taken and answers a trivial query; logs why not. */
    public boolean isReachable() {
        try {
            return jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            log.warn("Database not reachable: {}", dev.signagefleet.common.Causes.rootMessage(e));
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
