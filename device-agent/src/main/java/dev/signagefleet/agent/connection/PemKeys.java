package dev.signagefleet.agent.connection;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM blocks and private keys in the three forms terminals are provisioned with: PKCS#8
 * ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}, what AWS IoT's "create
 * certificate" hands out) and SEC1 EC ({@code BEGIN EC PRIVATE KEY}, OpenSSL's EC default). The
 * JDK reads only PKCS#8, so the other two are wrapped into PKCS#8 here.
 */
final class PemKeys {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};

    private PemKeys() {
    }

    /** One {@code -----BEGIN type-----} block. */
    record Block(String type, byte[] der, boolean encrypted) {
    }

    static List<Block> blocks(String pem) {
        List<Block> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(pem);
        while (matcher.find()) {
            String body = matcher.group(2);
            // legacy OpenSSL encryption puts headers ("Proc-Type: 4,ENCRYPTED") before the base64
            boolean encrypted = body.contains("ENCRYPTED");
            StringBuilder base64 = new StringBuilder();
            for (String line : body.split("\\R")) {
                if (!line.contains(":")) {
                    base64.append(line.strip());
                }
            }
            byte[] der;
            try {
                der = Base64.getDecoder().decode(base64.toString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the " + matcher.group(1) + " block is not valid base64");
            }
            blocks.add(new Block(matcher.group(1), der, encrypted));
        }
        return blocks;
    }

    /** The private key in {@code pem}; other blocks (e.g. {@code EC PARAMETERS}) are skipped. */
    static PrivateKey privateKey(String pem) {
        for (Block block : blocks(pem)) {
            switch (block.type()) {
                case "PRIVATE KEY":
                    return pkcs8(block.der());
                case "RSA PRIVATE KEY":
                    requireUnencrypted(block);
                    return pkcs8(rsaToPkcs8(block.der()));
                case "EC PRIVATE KEY":
                    requireUnencrypted(block);
                    return pkcs8(sec1ToPkcs8(block.der()));
                case "ENCRYPTED PRIVATE KEY":
                    throw encrypted();
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block found");
    }

    private static void requireUnencrypted(Block block) {
        if (block.encrypted()) {
            throw encrypted();
        }
    }

    private static IllegalArgumentException encrypted() {
        return new IllegalArgumentException("the key is encrypted; a terminal cannot type its passphrase, "
                + "store it unencrypted (openssl pkcs8 -topk8 -nocrypt -in key.pem) with file permissions 600");
    }

    private static PrivateKey pkcs8(byte[] der) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm: try the next
            }
        }
        throw new IllegalArgumentException("the private key is not an RSA, EC or EdDSA key this JVM can read");
    }

    /** PrivateKeyInfo { version 0, AlgorithmIdentifier { rsaEncryption, NULL }, OCTET STRING { RSAPrivateKey } } */
    static byte[] rsaToPkcs8(byte[] pkcs1) {
        return Der.tlv(Der.SEQUENCE,
                Der.version0(),
                Der.tlv(Der.SEQUENCE, Der.RSA_ENCRYPTION, Der.nullValue()),
                Der.tlv(Der.OCTET_STRING, pkcs1));
    }

    /**
     * PrivateKeyInfo { version 0, AlgorithmIdentifier { id-ecPublicKey, namedCurve }, OCTET STRING { ECPrivateKey } };
     * the curve comes from the SEC1 key's {@code [0] parameters}, which OpenSSL always writes.
     */
    static byte[] sec1ToPkcs8(byte[] sec1) {
        Der.Element key = Der.read(sec1);
        if (key.tag() != Der.SEQUENCE) {
            throw new IllegalArgumentException("the EC PRIVATE KEY block is not a SEC1 ECPrivateKey");
        }
        byte[] curve = null;
        for (Der.Element child : key.children()) {
            if (child.tag() == Der.CONTEXT_0) {
                Der.Element parameters = Der.read(child.value());
                if (parameters.tag() != Der.OID) {
                    throw new IllegalArgumentException("the EC key uses explicit curve parameters; only named curves are supported");
                }
                curve = parameters.encoded();
            }
        }
        if (curve == null) {
            throw new IllegalArgumentException("the EC PRIVATE KEY does not name its curve; convert it with openssl pkcs8 -topk8 -nocrypt");
        }
        return Der.tlv(Der.SEQUENCE,
                Der.version0(),
                Der.tlv(Der.SEQUENCE, Der.EC_PUBLIC_KEY, curve),
                Der.tlv(Der.OCTET_STRING, sec1));
    }
}
