package dev.signagefleet.management.auth;

import dev.signagefleet.common.security.PasswordHasher;
import dev.signagefleet.common.security.VerifiedSecretCache;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Owns {@code console_users}: the people who use the API and the management screen. */
public final class ConsoleUsers {

    private static final Logger log = LoggerFactory.getLogger(ConsoleUsers.class);
    public static final String ADMIN = "admin";
    /** Checked against when the username does not exist, so a miss costs as much time as a hit. */
    private static final String DUMMY_HASH = PasswordHasher.hash("no such user", PasswordHasher.HUMAN_PASSWORD_ITERATIONS);

    private final Jdbi jdbi;
    private final VerifiedSecretCache verified;
    /** PBKDF2 at 600,000 rounds costs a core for a while: bound how many run at once. */
    private final Semaphore hashing = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors() / 2), true);

    /** A signed-in user. */
    public record User(String username, Role role) {
    }

    /**
     * The result of making sure the admin account exists.
     *
     * @param generatedPassword present only when a password was generated now (first start)
     */
    public record AdminAccount(boolean created, Optional<String> generatedPassword) {
    }

    public ConsoleUsers(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.verified = new VerifiedSecretCache(Duration.ofMinutes(5), 10_000, clock);
    }

    /**
     * Ensures user {@code admin} exists. With a configured password, that password is the admin's
     * (set or replaced). Without one, a password is generated on first start and returned once.
     */
    public AdminAccount ensureAdmin(Optional<String> configuredPassword) {
        Optional<String> existing = jdbi.withHandle(h -> h.createQuery(
                        "SELECT password_hash FROM console_users WHERE username = :u")
                .bind("u", ADMIN).mapTo(String.class).findOne());
        if (configuredPassword.isPresent()) {
            String password = configuredPassword.get();
            if (existing.isPresent() && PasswordHasher.verify(password, existing.get())) {
                return new AdminAccount(false, Optional.empty());
            }
            upsert(ADMIN, password, Role.ADMIN);
            log.info("Admin password set from SIGNAGE_ADMIN_PASSWORD");
            return new AdminAccount(existing.isEmpty(), Optional.empty());
        }
        if (existing.isPresent()) {
            return new AdminAccount(false, Optional.empty());
        }
        String generated = PasswordHasher.newSecret().substring(0, 24);
        upsert(ADMIN, generated, Role.ADMIN);
        return new AdminAccount(true, Optional.of(generated));
    }

    /** Adds or replaces a user's password and role. */
    public void upsert(String username, String password, Role role) {
        String hash = PasswordHasher.hash(password, PasswordHasher.HUMAN_PASSWORD_ITERATIONS);
        jdbi.useHandle(h -> h.createUpdate("""
                        INSERT INTO console_users (username, password_hash, role) VALUES (:u, :h, :r)
                        ON CONFLICT (username) DO UPDATE SET password_hash = :h, role = :r, password_changed_at = now()
                        """)
                .bind("u", username).bind("h", hash).bind("r", role.dbValue()).execute());
    }

    /** A console user as the users screen lists them. */
    public record Listed(String username, Role role, java.time.Instant createdAt, java.time.Instant passwordChangedAt) {
    }

    public java.util.List<Listed> list() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT username, role, created_at, password_changed_at FROM console_users ORDER BY username")
                .map((rs, ctx) -> new Listed(rs.getString("username"), Role.fromDb(rs.getString("role")),
                        dev.signagefleet.common.db.Columns.instant(rs, "created_at"),
                        dev.signagefleet.common.db.Columns.instant(rs, "password_changed_at")))
                .list());
    }

    public Optional<User> authenticate(String username, String password) {
        if (username == null || password == null || username.length() > 64 || password.length() > 1024) {
            return Optional.empty();
        }
        Optional<Stored> stored = jdbi.withHandle(h -> h.createQuery(
                        "SELECT username, password_hash, role FROM console_users WHERE username = :u")
                .bind("u", username)
                .map((rs, ctx) -> new Stored(new User(rs.getString("username"), Role.fromDb(rs.getString("role"))),
                        rs.getString("password_hash")))
                .findOne());
        if (stored.isEmpty()) {
            // Spend about as long as a real check, so timing does not tell which usernames exist.
            verifyBounded(password, DUMMY_HASH);
            return Optional.empty();
        }
        // The cache entry is tied to the stored hash: a changed password invalidates it.
        String cacheKey = username + "\u0000" + stored.get().hash();
        if (verified.isVerified(cacheKey, password) || verifyBounded(password, stored.get().hash())) {
            verified.remember(cacheKey, password);
            return Optional.of(stored.get().user());
        }
        return Optional.empty();
    }

    private boolean verifyBounded(String password, String hash) {
        hashing.acquireUninterruptibly();
        try {
            return PasswordHasher.verify(password, hash);
        } finally {
            hashing.release();
        }
    }

    private record Stored(User user, String hash) {
    }
}
