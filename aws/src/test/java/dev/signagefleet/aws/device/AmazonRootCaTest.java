package dev.signagefleet.aws.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class AmazonRootCaTest {

    /** The fingerprint and serial Amazon Trust Services publishes for Amazon Root CA 1. */
    @Test
    void theBundledRootIsAmazonRootCa1AsPublished() throws Exception {
        X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(AmazonRootCa.pem().getBytes(StandardCharsets.US_ASCII)));

        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ca.getEncoded()));
        assertThat(sha256).isEqualTo("8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e").isEqualTo(AmazonRootCa.SHA256);
        assertThat(ca.getSerialNumber().toString(16)).isEqualTo("66c9fcf99bf8c0a39e2f0788a43e696365bca");
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=Amazon Root CA 1,O=Amazon,C=US");
    }
}
