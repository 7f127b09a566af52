package dev.signagefleet.common.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers, for a short time and in memory only, that a principal's secret was verified, so that
 * repeated checks (HTTP Basic on every request, a reconnecting terminal) skip the slow PBKDF2.
 * Entries hold an HMAC of the secret under a key that lives only in this process.
 */
public final class VerifiedSecretCache {

    private final byte[] key = new byte[32];
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final int maxEntries;
    private final Clock clock;

    public VerifiedSecretCache(Duration ttl, int maxEntries, Clock clock) {
        new SecureRandom().nextBytes(key);
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    public boolean isVerified(String principal, String secret) {
        Entry entry = entries.get(principal);
        if (entry == null) {
            return false;
        }
        if (clock.instant().isAfter(entry.expires())) {
            entries.remove(principal, entry);
            return false;
        }
        return MessageDigest.isEqual(entry.mac(), mac(principal, secret));
    }

    public void remember(String principal, String secret) {
        if (entries.size() >= maxEntries) {
            entries.clear();
        }
        entries.put(principal, new Entry(mac(principal, secret), clock.instant().plus(ttl)));
    }

    private byte[] mac(String principal, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(principal.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private record Entry(byte[] mac, Instant expires) {
    }
}
