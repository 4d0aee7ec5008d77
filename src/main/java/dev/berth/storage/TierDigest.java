package dev.berth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The hash that a hot-tier entry's name ({@code <alg>-<hex>}) promises, checked against a file. */
final class TierDigest {
    private TierDigest() {
    }

    /**
     * Whether the whole of {@code channel} hashes to {@code name}, an entry name that {@link HotTierStorage} validated.
     * Read as a hit reads it ({@link FileRange}): what is checked is what will be served.
     */
    static boolean matches(FileChannel channel, String name) throws IOException {
        int dash = name.indexOf('-');
        String algorithm = name.substring(0, dash).equals("sha512") ? "SHA-512" : "SHA-256";
        MessageDigest hasher;
        try {
            hasher = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new FileRange(channel, 0, channel.size())) {
            byte[] buffer = new byte[ObjectReader.COPY_CHUNK];
            for (int n; (n = in.read(buffer)) > 0; ) {
                hasher.update(buffer, 0, n);
            }
        }
        return MessageDigest.isEqual(hasher.digest(), HexFormat.of().parseHex(name.substring(dash + 1)));
    }
}
