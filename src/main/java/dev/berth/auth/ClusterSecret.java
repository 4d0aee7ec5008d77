package dev.berth.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret every instance of a cluster shares ({@code cluster.secret-file}), from which each use draws a key of its
 * own (tokens, peer requests), so that no key serves two purposes and the file's bytes are never used directly.
 */
public final class ClusterSecret {
    private static final int MIN_LENGTH = 32;
    private static final String HOW = "make one with: head -c 32 /dev/urandom | base64 > FILE, the same file on every"
            + " instance, readable by berth only";

    private final byte[] secret;

    private ClusterSecret(byte[] secret) {
        this.secret = secret;
    }

    /** Reads the secret; a missing, unreadable or short file stops berth with a message that says how to make one. */
    public static ClusterSecret load(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cluster.secret-file " + file + " does not exist; " + HOW);
        } catch (IOException e) {
            throw new IllegalArgumentException("cluster.secret-file " + file + " cannot be read (" + e.getMessage()
                    + "); " + HOW);
        }
        // Trailing white space is the editor's or echo's, not the secret's: instances must agree whatever wrote it.
        byte[] trimmed = new String(content, StandardCharsets.ISO_8859_1).strip().getBytes(StandardCharsets.ISO_8859_1);
        if (trimmed.length < MIN_LENGTH) {
            throw new IllegalArgumentException("cluster.secret-file " + file + " holds " + trimmed.length
                    + " characters, fewer than the " + MIN_LENGTH + " needed; " + HOW);
        }
        return new ClusterSecret(trimmed);
    }

    /** A 32-byte key for {@code purpose} (HMAC-SHA256 of the purpose under the secret). */
    public byte[] key(String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "ClusterSecret[hidden]";
    }
}
