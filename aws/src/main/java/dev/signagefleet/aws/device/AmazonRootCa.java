package dev.signagefleet.aws.device;

import dev.signagefleet.aws.AwsProvisioningException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Amazon Root CA 1, which signs AWS IoT Core's ATS data endpoints: terminals trust only it.
 * The PEM is Debian's ca-certificates copy (Mozilla's root store); its SHA-256 fingerprint
 * {@value #SHA256} and serial {@code 066c9fcf99bf8c0a39e2f0788a43e696365bca} are the ones Amazon
 * Trust Services publishes (https://www.amazontrust.com/repository/), and a test checks them.
 */
public final class AmazonRootCa {

    public static final String FILE_NAME = "AmazonRootCA1.pem";
    public static final String SHA256 = "8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e";

    private AmazonRootCa() {
    }

    public static String pem() {
        try (InputStream in = AmazonRootCa.class.getResourceAsStream(FILE_NAME)) {
            if (in == null) {
                throw new AwsProvisioningException(FILE_NAME + " is missing from the aws module's jar: rebuild it");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AwsProvisioningException("cannot read " + FILE_NAME + " from the aws module's jar: " + e, e);
        }
    }
}
