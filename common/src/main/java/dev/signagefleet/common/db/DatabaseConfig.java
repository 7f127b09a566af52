package dev.signagefleet.common.db;

import dev.signagefleet.common.config.Secret;
import java.util.Objects;

/**
 * Where the PostgreSQL database is and how many connections this process may hold.
 *
 * @param jdbcUrl  e.g. {@code jdbc:postgresql://localhost:5432/signage}
 * @param user     database user
 * @param password database password
 * @param maxPool  connection pool size; a few per service is plenty on 2 cores
 */
public record DatabaseConfig(String jdbcUrl, String user, Secret password, int maxPool) {

    public DatabaseConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("database URL must start with jdbc:postgresql:, was " + jdbcUrl);
        }
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }
}
