package dev.berth.mirror;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * The sizes an upstream announced for the blobs of a repository, by a HEAD or in the descriptors of a manifest it
 * sent, kept for a while: a download of the blob stops one byte past that size, whatever its own Content-Length says.
 * Kept per repository, so a manifest elsewhere that lies about a digest's size cannot hold up another's downloads.
 */
final class BlobSizes {
    private static final int MAX_ENTRIES = 100_000;
    private static final Duration KEPT = Duration.ofHours(1);

    private final Cache<String, Long> sizes = Caffeine.newBuilder().maximumSize(MAX_ENTRIES)
            .expireAfterWrite(KEPT).build();

    /** Records {@code size} (ignored when negative: not said) for the blob {@code key} ({@code repository@digest}). */
    void announced(String key, long size) {
        if (size >= 0) {
            sizes.put(key, size);
        }
    }

    /** The size announced for the blob {@code key}, if any. */
    OptionalLong of(String key) {
        Long size = sizes.getIfPresent(key);
        return size == null ? OptionalLong.empty() : OptionalLong.of(size);
    }
}
