package dev.berth.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:<64 hex>}. Only sha256 and sha512 are accepted, and their encoded part must be
 * lowercase hex of the exact length, so a digest is always safe to use as a path segment.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
    private static final Pattern GRAMMAR = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
    private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
    private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

    public Digest {
        Pattern expected = switch (algorithm) {
            case "sha256" -> SHA256;
            case "sha512" -> SHA512;
            default -> throw new RegistryException(OciError.DIGEST_INVALID, "unsupported digest algorithm: " + algorithm);
        };
        if (!expected.matcher(hex).matches()) {
            throw new RegistryException(OciError.DIGEST_INVALID, "invalid " + algorithm + " digest: " + hex);
        }
    }

    /** Parses {@code algorithm:hex}, failing with DIGEST_INVALID on anything else. */
    public static Digest parse(String text) {
        if (text == null || text.length() > 200 || !GRAMMAR.matcher(text).matches()) {
            throw new RegistryException(OciError.DIGEST_INVALID, "invalid digest: " + ErrorText.shorten(text));
        }
        int colon = text.indexOf(':');
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** Whether {@code text} is shaped like a digest (it may still name an unsupported algorithm). */
    public static boolean looksLikeDigest(String text) {
        return text.indexOf(':') > 0;
    }

    /** The sha256 digest of {@code bytes}. */
    public static Digest sha256(byte[] bytes) {
        return of(newHasher("sha256").digest(bytes), "sha256");
    }

    /** A digest from the finished state of a {@link MessageDigest} created by {@link #newHasher(String)}. */
    public static Digest of(byte[] hash, String algorithm) {
        return new Digest(algorithm, HexFormat.of().formatHex(hash));
    }

    /** A fresh hasher for this digest's algorithm. */
    public MessageDigest newHasher() {
        return newHasher(algorithm);
    }

    /** A fresh hasher for {@code algorithm} (sha256 or sha512). */
    public static MessageDigest newHasher(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm, e);
        }
    }

    @Override
    public int compareTo(Digest other) {
        return toString().compareTo(other.toString());
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
