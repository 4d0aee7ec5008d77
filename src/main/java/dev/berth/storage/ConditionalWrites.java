package dev.berth.storage;

import java.util.Optional;

/**
 * Compare-and-set on small objects, for coordination between instances that share a store: a write that happens only
 * when the object is absent, or still the version the writer read (S3's If-None-Match and If-Match). Some
 * S3-compatible services accept the conditions and ignore them; {@link #honoured()} finds out.
 */
public interface ConditionalWrites {
    /** A small object's content and the store's version of it (S3: its entity tag). */
    record Versioned(byte[] content, String version) {
    }

    /** The object and its version, if there is one; refuses objects over {@code maxBytes}. */
    Optional<Versioned> readVersioned(String key, int maxBytes);

    /** Writes {@code content} only if no object is at {@code key}; false when one is. */
    boolean writeIfAbsent(String key, byte[] content);

    /** Writes {@code content} only if the object is still at {@code version}; false when it changed or went. */
    boolean writeIfMatch(String key, byte[] content, String version);

    /**
     * Whether this store keeps the conditions: writes {@code probeKey} twice if absent and expects the second to be
     * refused, then deletes it.
     */
    boolean honoured(String probeKey);
}
