package dev.signagefleet.agent.connection;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Just enough ASN.1 DER to turn the PKCS#1 and SEC1 private keys that OpenSSL and AWS IoT hand
 * out into the PKCS#8 form the JDK's {@code KeyFactory} reads.
 */
final class Der {

    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** {@code [0]} constructed, context-specific: the parameters of a SEC1 EC key. */
    static final int CONTEXT_0 = 0xA0;

    /** 1.2.840.113549.1.1.1 rsaEncryption */
    static final byte[] RSA_ENCRYPTION = {0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01};
    /** 1.2.840.10045.2.1 id-ecPublicKey */
    static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};

    private Der() {
    }

    /** One tag-length-value element; {@code encoded} is the whole TLV. */
    record Element(int tag, byte[] encoded, int valueOffset) {

        byte[] value() {
            return Arrays.copyOfRange(encoded, valueOffset, encoded.length);
        }

        /** The elements inside a constructed element (SEQUENCE, [0]). */
        List<Element> children() {
            return readAll(value());
        }
    }

    static Element read(byte[] der) {
        List<Element> all = readAll(der);
        if (all.size() != 1) {
            throw new IllegalArgumentException("expected one DER element, found " + all.size());
        }
        return all.get(0);
    }

    static List<Element> readAll(byte[] der) {
        List<Element> elements = new ArrayList<>();
        int pos = 0;
        while (pos < der.length) {
            int start = pos;
            int tag = der[pos++] & 0xFF;
            if ((tag & 0x1F) == 0x1F) {
                throw new IllegalArgumentException("multi-byte DER tags are not used in keys");
            }
            if (pos >= der.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            int length = der[pos++] & 0xFF;
            if (length > 0x7F) {
                int bytes = length & 0x7F;
                if (bytes == 0 || bytes > 3 || pos + bytes > der.length) {
                    throw new IllegalArgumentException("unsupported DER length");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[pos++] & 0xFF);
                }
            }
            if (pos + length > der.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            int headerLength = pos - start;
            pos += length;
            elements.add(new Element(tag, Arrays.copyOfRange(der, start, pos), headerLength));
        }
        return elements;
    }

    static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.size();
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    static byte[] version0() {
        return new byte[] {INTEGER, 0x01, 0x00};
    }

    static byte[] nullValue() {
        return new byte[] {NULL, 0x00};
    }
}
