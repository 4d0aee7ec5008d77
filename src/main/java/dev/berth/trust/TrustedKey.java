package dev.berth.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A public key a policy trusts, read from a PEM file ({@code -----BEGIN PUBLIC KEY-----}, as {@code cosign
 * generate-key-pair} writes it): ECDSA P-256 and RSA verify SHA-256 signatures, Ed25519 its own. Named by its file for
 * people, and by the SHA-256 of its encoding for caches.
 */
public record TrustedKey(String name, String fingerprint, PublicKey key, String algorithm) {
    /** Larger than any PEM public key berth accepts (an RSA-16384 key is about 3 KiB). */
    private static final long MAX_FILE_BYTES = 64 * 1024;
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");

    /** Reads the key in {@code file}; IllegalArgumentException naming the file when it holds none berth can use. */
    public static TrustedKey load(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("policy key " + file + ": not a PEM public key (larger than "
                        + MAX_FILE_BYTES / 1024 + " KiB)");
            }
            // ISO-8859-1 decodes any bytes: a binary file is then reported as holding no key, not as unreadable.
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("policy key " + file + ": no such file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("policy key " + file + " cannot be read: " + e, e);
        }
        try {
            return parse(file.getFileName().toString(), text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("policy key " + file + ": " + e.getMessage(), e);
        }
    }

    /** The key in the PEM text {@code pem}, named {@code name}. */
    static TrustedKey parse(String name, String pem) {
        Matcher m = PEM.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException("no -----BEGIN PUBLIC KEY----- block (an ECDSA P-256, RSA or Ed25519"
                    + " public key in PEM, as cosign.pub)");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        String fingerprint = HexFormat.of().formatHex(sha256(der));
        for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
            PublicKey key;
            try {
                key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                continue;
            }
            if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IllegalArgumentException("an ECDSA key on another curve than P-256");
            }
            String signature = switch (algorithm) {
                case "EC" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                default -> "Ed25519";
            };
            return new TrustedKey(name, fingerprint, key, signature);
        }
        throw new IllegalArgumentException("not an ECDSA P-256, RSA or Ed25519 public key");
    }

    /** Whether {@code signature} is this key's over {@code message}; false for any malformed signature. */
    public boolean verifies(byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
