package dev.signagefleet.management.console;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring addresses of one content version's preview files. The preview runs in a sandbox
 * without the console's origin, and browsers send no SameSite session cookie with the requests of
 * such a page (its {@code slides.js}), so those requests carry this signature instead of a login.
 * The key lives only in this process: a restart (or another instance) simply asks the viewer to
 * open the preview again.
 */
final class PreviewLinks {

    /** Long enough to load and reload the preview; a page opened later signs a new link. */
    static final Duration VALID = Duration.ofHours(1);

    private final byte[] key = new byte[32];
    private final Clock clock;

    PreviewLinks(Clock clock) {
        this.clock = clock;
        new SecureRandom().nextBytes(key);
    }

    /** A token for the version's files, valid for {@link #VALID} from now. */
    String token(String group, long number) {
        long expires = clock.instant().plus(VALID).getEpochSecond();
        return expires + "." + signature(group, number, expires);
    }

    boolean valid(String group, long number, String token) {
        int dot = token == null ? -1 : token.indexOf('.');
        if (dot <= 0 || token.length() > 100) {
            return false;
        }
        long expires;
        try {
            expires = Long.parseLong(token.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        byte[] expected = signature(group, number, expires).getBytes(StandardCharsets.US_ASCII);
        byte[] given = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given) && clock.instant().getEpochSecond() < expires;
    }

    private String signature(String group, long number, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] sig = mac.doFinal((group + "@" + number + "/" + expires).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has HmacSHA256", e);
        }
    }
}
