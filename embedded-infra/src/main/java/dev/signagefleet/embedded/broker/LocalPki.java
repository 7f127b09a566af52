package dev.signagefleet.embedded.broker;

import dev.signagefleet.embedded.EmbeddedInfraException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The local certificate authority of the embedded broker's optional mutual-TLS listener, the AWS
 * IoT Core model on one box: it signs the broker's server certificate and one certificate per
 * terminal, whose CN is the device id. Kept in one folder ({@code ca.cert.pem}, {@code ca.key.pem},
 * the key readable by the owner only); created on first use. EC P-256 keys, SHA-256 signatures.
 */
public final class LocalPki {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration LEAF_VALIDITY = Duration.ofDays(825);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final PrivateKey caKey;
    private final X509Certificate ca;

    private LocalPki(Path dir, PrivateKey caKey, X509Certificate ca) {
        this.dir = dir;
        this.caKey = caKey;
        this.ca = ca;
    }

    /** The CA kept in {@code dir}, made there first if there is none. */
    public static LocalPki openOrCreate(Path dir) {
        Path certFile = dir.resolve("ca.cert.pem");
        Path keyFile = dir.resolve("ca.key.pem");
        try {
            if (Files.exists(certFile) && Files.exists(keyFile)) {
                X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new java.io.ByteArrayInputStream(Files.readAllBytes(certFile)));
                PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                        pemBody(Files.readString(keyFile, StandardCharsets.US_ASCII), "PRIVATE KEY")));
                return new LocalPki(dir, key, ca);
            }
            Files.createDirectories(dir);
            KeyPair keys = ecKeys();
            X509Certificate ca = sign(keys.getPrivate(), null, "signage-fleet local CA " + Instant.now(), keys.getPublic(),
                    CA_VALIDITY, Role.CA, List.of());
            writeOwnerOnly(keyFile, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
            Files.writeString(certFile, pem("CERTIFICATE", ca.getEncoded()), StandardCharsets.US_ASCII);
            return new LocalPki(dir, keys.getPrivate(), ca);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new EmbeddedInfraException("cannot open or create the local CA in " + dir
                    + " (is the folder writable, and are ca.cert.pem and ca.key.pem a matching pair?)", e);
        }
    }

    public X509Certificate ca() {
        return ca;
    }

    public Path caCertificateFile() {
        return dir.resolve("ca.cert.pem");
    }

    /**
     * A key store (PKCS#12) with the broker's key and a certificate for {@code hostNames} (and
     * 127.0.0.1), signed by this CA; and beside it a trust store with the CA, for the client side.
     */
    public void writeServerStores(Path keyStore, Path trustStore, char[] password, List<String> hostNames) {
        try {
            KeyPair keys = ecKeys();
            X509Certificate server = sign(caKey, ca, hostNames.isEmpty() ? "localhost" : hostNames.get(0), keys.getPublic(),
                    LEAF_VALIDITY, Role.SERVER, hostNames);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("broker", keys.getPrivate(), password, new Certificate[] {server, ca});
            writeStore(store, keyStore, password);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("signage-ca", ca);
            writeStore(trust, trustStore, password);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new EmbeddedInfraException("cannot write the broker's TLS key and trust stores in " + keyStore.getParent(), e);
        }
    }

    /** What a terminal needs for mutual TLS, as files. */
    public record DeviceFiles(Path certificate, Path privateKey, Path caCertificate) {
    }

    /**
     * Issues a certificate whose CN is {@code deviceId} and writes it with its new private key
     * (PKCS#8 PEM, owner only) and the CA certificate into {@code outDir}.
     */
    public DeviceFiles issueDevice(String deviceId, Path outDir) {
        try {
            Files.createDirectories(outDir);
            KeyPair keys = ecKeys();
            X509Certificate certificate = sign(caKey, ca, deviceId, keys.getPublic(), LEAF_VALIDITY, Role.CLIENT, List.of());
            Path cert = outDir.resolve(deviceId + ".cert.pem");
            Path key = outDir.resolve(deviceId + ".private.key");
            Path caFile = outDir.resolve("ca.pem");
            Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
            writeOwnerOnly(key, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
            Files.writeString(caFile, pem("CERTIFICATE", ca.getEncoded()), StandardCharsets.US_ASCII);
            return new DeviceFiles(cert, key, caFile);
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new EmbeddedInfraException("cannot issue a certificate for device '" + deviceId + "' into " + outDir, e);
        }
    }

    /** A certificate for {@code commonName} with a fresh key, for tests and tools. */
    public X509Certificate issue(String commonName, PublicKey key) {
        try {
            return sign(caKey, ca, commonName, key, LEAF_VALIDITY, Role.CLIENT, List.of());
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new EmbeddedInfraException("cannot issue a certificate for '" + commonName + "'", e);
        }
    }

    private enum Role { CA, SERVER, CLIENT }

    private static X509Certificate sign(PrivateKey issuerKey, X509Certificate issuer, String commonName, PublicKey key,
                                        Duration validity, Role role, List<String> hostNames)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=" + commonName.replace(",", "\\,").replace("=", "\\="));
        X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(127, RANDOM),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, key);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(role == Role.CA));
        if (role == Role.CA) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    role == Role.SERVER ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        }
        if (role == Role.SERVER) {
            addNames(builder, hostNames);
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private static void addNames(JcaX509v3CertificateBuilder builder, List<String> hostNames) throws CertIOException {
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        for (String host : hostNames) {
            names.add(host.matches("[0-9.]+|[0-9a-fA-F:]+") ? new GeneralName(GeneralName.iPAddress, host)
                    : new GeneralName(GeneralName.dNSName, host));
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static void writeStore(KeyStore store, Path file, char[] password) throws IOException, GeneralSecurityException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] pemBody(String text, String type) throws IOException {
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                return Base64.getMimeDecoder().decode(m.group(2));
            }
        }
        throw new IOException("no " + type + " block");
    }

    /** Reads a key store written by {@link #writeServerStores}, e.g. for a client that trusts the broker. */
    public static KeyStore readStore(Path file, char[] password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new EmbeddedInfraException("cannot read the key store " + file, e);
        }
    }
}
