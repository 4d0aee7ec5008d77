package dev.berth.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** OpenSSL's traditional EC key PEM ({@code BEGIN EC PRIVATE KEY}, SEC 1), read by rewrapping it as PKCS#8. */
final class Sec1EcKey {
    private static final String BEGIN = "-----BEGIN EC PRIVATE KEY-----";
    private static final Pattern PEM = Pattern.compile(BEGIN + "([^-]*)-----END EC PRIVATE KEY-----");
    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int OBJECT_IDENTIFIER = 0x06;
    private static final int PARAMETERS = 0xa0;
    /** id-ecPublicKey, 1.2.840.10045.2.1, encoded. */
    private static final byte[] EC_PUBLIC_KEY =
            {OBJECT_IDENTIFIER, 7, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 2, 1};
    private static final byte[] VERSION_0 = {INTEGER, 1, 0};

    private Sec1EcKey() {
    }

    /** Whether {@code pem} holds a key in this format. */
    static boolean isIn(String pem) {
        return pem.contains(BEGIN);
    }

    /** The key in {@code pem}; fails on an encrypted key or one that names no curve. */
    static PrivateKey parse(String pem) throws GeneralSecurityException {
        Matcher m = PEM.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException("the EC PRIVATE KEY block has no END line");
        }
        if (m.group(1).contains("ENCRYPTED")) {
            throw new IllegalArgumentException("the key is encrypted; write it unencrypted with: openssl ec -in KEY");
        }
        byte[] sec1 = Base64.getMimeDecoder().decode(m.group(1).strip());
        byte[] algorithm = der(SEQUENCE, EC_PUBLIC_KEY, namedCurve(sec1));
        byte[] pkcs8 = der(SEQUENCE, VERSION_0, algorithm, der(OCTET_STRING, sec1));
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    }

    /**
     * The curve's OID from {@code ECPrivateKey ::= SEQUENCE {version, privateKey, [0] parameters, ...}}: PKCS#8 wants
     * it in the algorithm identifier, and OpenSSL always writes it.
     */
    private static byte[] namedCurve(byte[] sec1) {
        ByteBuffer in = ByteBuffer.wrap(sec1);
        header(in, SEQUENCE);
        skip(in, INTEGER);
        skip(in, OCTET_STRING);
        byte[] curve = new byte[header(in, PARAMETERS)];
        in.get(curve);
        if (curve.length == 0 || curve[0] != OBJECT_IDENTIFIER) {
            throw new IllegalArgumentException("the EC key names no curve");
        }
        return curve;
    }

    private static void skip(ByteBuffer in, int tag) {
        int length = header(in, tag);
        in.position(in.position() + length);
    }

    /** Reads a tag, which must be {@code tag}, and its length; returns the length. */
    private static int header(ByteBuffer in, int tag) {
        int found = in.get() & 0xff;
        if (found != tag) {
            throw new IllegalArgumentException("not an EC private key: DER tag " + found + " where " + tag
                    + " belongs");
        }
        int first = in.get() & 0xff;
        if (first < 0x80) {
            return first;
        }
        int length = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            length = (length << 8) | (in.get() & 0xff);
        }
        return length;
    }

    private static byte[] der(int tag, byte[]... contents) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] content : contents) {
            body.writeBytes(content);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = body.size();
        if (length < 0x80) {
            out.write(length);
        } else {
            int octets = length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
            out.write(0x80 | octets);
            for (int i = octets - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }
}
