package dev.berth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The hash that a hot-tier entry's name ({@code <alg>-<hex>}) promises, computed over the bytes given to it. */
final class TierDigest {
    private final MessageDigest hasher;
    private final byte[] expected;

    private TierDigest(MessageDigest hasher, byte[] expected) {
        this.hasher = hasher;
        this.expected = expected;
    }

    /** A digest to check against {@code name}, an entry name that {@link HotTierStorage} validated. */
    static TierDigest of(String name) {
        int dash = name.indexOf('-');
        String algorithm = name.substring(0, dash).equals("sha512") ? "SHA-512" : "SHA-256";
        try {
            return new TierDigest(MessageDigest.getInstance(algorithm),
                    HexFormat.of().parseHex(name.substring(dash + 1)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the whole of {@code channel} hashes to {@code name}. */
    static boolean matches(FileChannel channel, String name) throws IOException {
        TierDigest digest = of(name);
        try (InputStream in = new FileRange(channel, 0, channel.size())) {
            byte[] buffer = new byte[ObjectReader.COPY_CHUNK];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return digest.matches();
    }

    void update(byte[] b, int off, int len) {
        hasher.update(b, off, len);
    }

    /** Whether the bytes so far hash to the name; once only. */
    boolean matches() {
        return MessageDigest.isEqual(hasher.digest(), expected);
    }
}
