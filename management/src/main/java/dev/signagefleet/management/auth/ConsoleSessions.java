package dev.signagefleet.management.auth;

import dev.signagefleet.common.db.Columns;
import dev.signagefleet.common.security.PasswordHasher;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Owns {@code console_sessions}: who is signed in to the console in which browser. The cookie
 * carries a random token; the table keeps only its SHA-256, so a leaked table signs nobody in. A
 * session ends after {@link #IDLE} without a request or {@link #ABSOLUTE} after sign-in, whichever
 * is first. Being in Postgres, sessions survive a restart and work across several instances.
 */
public final class ConsoleSessions {

    public static final String COOKIE = "signage_session";
    public static final Duration IDLE = Duration.ofHours(2);
    public static final Duration ABSOLUTE = Duration.ofHours(12);
    /** A session's last-seen time is written at most this often, not on every request. */
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    private final Jdbi jdbi;
    private final Clock clock;

    /** A signed-in browser: the user, and the token every form and unsafe request must echo. */
    public record Session(ConsoleUsers.User user, String csrfToken, Instant lastSeenAt, Instant expiresAt) {
    }

    /** A new session: the cookie value (shown once, never stored) and the session. */
    public record Started(String cookieToken, Session session) {
    }

    public ConsoleSessions(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    public Started start(ConsoleUsers.User user) {
        String token = PasswordHasher.newSecret();
        String csrf = PasswordHasher.newSecret();
        Instant now = clock.instant();
        Instant expires = now.plus(ABSOLUTE);
        jdbi.useHandle(h -> {
            // Housekeeping on sign-in keeps the table small without a scheduler of its own.
            h.createUpdate("DELETE FROM console_sessions WHERE expires_at < :now OR last_seen_at < :idle")
                    .bind("now", Columns.timestamp(now)).bind("idle", Columns.timestamp(now.minus(IDLE))).execute();
            h.createUpdate("""
                            INSERT INTO console_sessions (token_hash, username, csrf_token, created_at, last_seen_at, expires_at)
                            VALUES (:hash, :user, :csrf, :now, :now, :expires)
                            """)
                    .bind("hash", hash(token)).bind("user", user.username()).bind("csrf", csrf)
                    .bind("now", Columns.timestamp(now)).bind("expires", Columns.timestamp(expires)).execute();
        });
        return new Started(token, new Session(user, csrf, now, expires));
    }

    /** The live session behind a cookie value, if any; refreshes its last-seen time. */
    public Optional<Session> find(String cookieToken) {
        if (cookieToken == null || cookieToken.isEmpty() || cookieToken.length() > 100) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String hash = hash(cookieToken);
        Optional<Session> session = jdbi.withHandle(h -> h.createQuery("""
                        SELECT s.csrf_token, s.last_seen_at, s.expires_at, u.username, u.role
                        FROM console_sessions s JOIN console_users u USING (username)
                        WHERE s.token_hash = :hash AND s.expires_at > :now AND s.last_seen_at > :idle
                        """)
                .bind("hash", hash).bind("now", Columns.timestamp(now)).bind("idle", Columns.timestamp(now.minus(IDLE)))
                .map((rs, ctx) -> new Session(new ConsoleUsers.User(rs.getString("username"), Role.fromDb(rs.getString("role"))),
                        rs.getString("csrf_token"), Columns.instant(rs, "last_seen_at"), Columns.instant(rs, "expires_at")))
                .findOne());
        session.filter(s -> s.lastSeenAt().plus(TOUCH_EVERY).isBefore(now)).ifPresent(s -> jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE console_sessions SET last_seen_at = :now WHERE token_hash = :hash")
                .bind("now", Columns.timestamp(now)).bind("hash", hash).execute()));
        return session;
    }

    /** Whether a cookie value still names a live session, without counting this as activity. */
    public boolean isLive(String cookieToken) {
        if (cookieToken == null || cookieToken.isEmpty() || cookieToken.length() > 100) {
            return false;
        }
        Instant now = clock.instant();
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT count(*) FROM console_sessions
                        WHERE token_hash = :hash AND expires_at > :now AND last_seen_at > :idle
                        """)
                .bind("hash", hash(cookieToken)).bind("now", Columns.timestamp(now))
                .bind("idle", Columns.timestamp(now.minus(IDLE))).mapTo(Integer.class).one()) > 0;
    }

    public void end(String cookieToken) {
        if (cookieToken != null && !cookieToken.isEmpty()) {
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM console_sessions WHERE token_hash = :hash")
                    .bind("hash", hash(cookieToken)).execute());
        }
    }

    /** Signs a user out everywhere (after a password reset). */
    public int endAll(String username) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM console_sessions WHERE username = :u")
                .bind("u", username).execute());
    }

    /** Compares without leaking, through timing, how much of the token matched. */
    public static boolean sameToken(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8));
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
