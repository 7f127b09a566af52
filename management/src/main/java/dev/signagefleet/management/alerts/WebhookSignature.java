package dev.signagefleet.management.alerts;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@value #HEADER} header of a webhook delivery: {@code sha256=} and the hex HMAC-SHA256 of the
 * exact body bytes under the webhook's secret. A receiver computes the same over the body it got
 * and compares in constant time.
 */
public final class WebhookSignature {

    public static final String HEADER = "X-Signage-Signature";
    public static final String TIMESTAMP_HEADER = "X-Signage-Timestamp";
    public static final String DELIVERY_HEADER = "X-Signage-Delivery";
    private static final String PREFIX = "sha256=";

    private WebhookSignature() {
    }

    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is available in every JVM", e);
        }
    }
}
