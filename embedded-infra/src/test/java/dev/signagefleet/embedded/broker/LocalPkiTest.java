package dev.signagefleet.embedded.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPkiTest {

    @TempDir
    Path dir;

    @Test
    void theCaIsMadeOnceKeptOwnerOnlyAndSignsDeviceCertificatesNamedByTheirId() throws Exception {
        LocalPki first = LocalPki.openOrCreate(dir.resolve("pki"));
        LocalPki again = LocalPki.openOrCreate(dir.resolve("pki"));

        assertThat(again.ca()).isEqualTo(first.ca());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("pki/ca.key.pem")))).isEqualTo("rw-------");

        LocalPki.DeviceFiles files = again.issueDevice("kiosk-7", dir.resolve("out"));
        X509Certificate device = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(files.certificate()));
        assertThat(device.getSubjectX500Principal().getName()).isEqualTo("CN=kiosk-7");
        device.verify(first.ca().getPublicKey()); // signed by the CA made the first time
        assertThat(device.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2"); // client authentication
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.privateKey()))).isEqualTo("rw-------");
        assertThat(Files.readString(files.caCertificate())).isEqualTo(Files.readString(first.caCertificateFile()));
    }
}
