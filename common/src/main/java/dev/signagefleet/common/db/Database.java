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

    public static Database connect(DatabaseConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password().value());
        hikari.setMaximumPoolSize(config.maxPool());
        hikari.setPoolName("signage-db");
        // Fail fast at start when the database is unreachable, but let the pool recover later.
        hikari.setInitializationFailTimeout(30_000);
        hikari.setConnectionTimeout(10_000);
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
                result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion,
                result.migrationsExecuted);
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** True when a connection can be taken and answers a trivial query. */
    public boolean isReachable() {
        try {
            return jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
