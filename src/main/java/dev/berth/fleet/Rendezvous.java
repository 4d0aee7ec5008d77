package dev.berth.fleet;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Rendezvous (highest-random-weight) hashing: every instance ranks the members for a key the same way, the first is
 * the key's owner, and a member joining or leaving moves only the keys it gains or held.
 */
public final class Rendezvous {
    private Rendezvous() {
    }

    /** {@code members} by their weight for {@code key}, highest first. */
    public static List<URI> ranked(String key, Collection<URI> members) {
        return members.stream()
                .sorted(Comparator.comparingLong((URI member) -> weight(member, key)).reversed()
                        .thenComparing(URI::toString))
                .toList();
    }

    /** The weight of {@code member} for {@code key}: the first 8 bytes of SHA-256 over both, the same in every JVM. */
    static long weight(URI member, String key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(member.toString().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            sha.update(key.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(sha.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
