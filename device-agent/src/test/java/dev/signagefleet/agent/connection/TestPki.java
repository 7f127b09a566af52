package dev.signagefleet.agent.connection;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for tests, made with BouncyCastle: a CA, a server certificate for
 * {@code localhost}, and device certificates with keys in the PEM forms terminals are given.
 */
public final class TestPki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    public final KeyPair caKeys;
    public final X509Certificate ca;
    public final KeyPair serverKeys;
    public final X509Certificate server;

    private TestPki(KeyPair caKeys, X509Certificate ca, KeyPair serverKeys, X509Certificate server) {
        this.caKeys = caKeys;
        this.ca = ca;
        this.serverKeys = serverKeys;
        this.server = server;
    }

    public static TestPki create() throws Exception {
        KeyPair caKeys = ec();
        X509Certificate ca = sign(caKeys, "signage-test-ca", caKeys.getPublic(), true);
        KeyPair serverKeys = ec();
        X509Certificate server = sign(caKeys, "localhost", serverKeys.getPublic(), false);
        return new TestPki(caKeys, ca, serverKeys, server);
    }

    /** A certificate for {@code commonName} signed by this CA. */
    public X509Certificate certificate(String commonName, PublicKey key) throws Exception {
        return sign(caKeys, commonName, key, false);
    }

    public static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    public static KeyPair ec() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(KeyPair issuer, String commonName, PublicKey key, boolean isCa) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=signage-test-ca"),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + commonName), key);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (commonName.equals("localhost")) {
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, "localhost")));
        }
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    /** The PKCS#1 RSAPrivateKey inside the JDK's PKCS#8 encoding, as AWS IoT and {@code openssl genrsa} (1.x) write it. */
    public static byte[] pkcs1(PrivateKey key) throws IOException {
        return PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
    }

    /** A SEC1 ECPrivateKey with the named curve and public key, as {@code openssl ecparam -genkey} writes it. */
    public static byte[] sec1(KeyPair keys) throws IOException {
        DERBitString publicKey = new DERBitString(
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData().getBytes());
        return new org.bouncycastle.asn1.sec.ECPrivateKey(256, ((ECPrivateKey) keys.getPrivate()).getS(), publicKey,
                SECObjectIdentifiers.secp256r1).getEncoded();
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A JKS key store with the server key and chain, for a TLS listener. */
    public void writeServerKeyStore(Path file, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("JKS");
        store.load(null, null);
        store.setKeyEntry("server", serverKeys.getPrivate(), password, new Certificate[] {server, ca});
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
    }

    /** A JKS trust store with the CA, so a TLS listener accepts the device certificates it signed. */
    public void writeTrustStore(Path file, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("JKS");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
    }

    /** The content of the {@code EC PARAMETERS} block OpenSSL writes before a SEC1 key: the curve's OID. */
    public static byte[] secp256r1Parameters() throws IOException {
        return SECObjectIdentifiers.secp256r1.getEncoded();
    }
}
