package dev.berth.mirror;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * When each cached tag was last confirmed by its upstream. Within the tag TTL a tag is served with no upstream call;
 * after it, the tag is revalidated. Kept in memory only: after a restart every tag is revalidated once, which costs a
 * HEAD each and keeps stale-if-error working from what is on disk.
 */
final class TagFreshness {
    private static final int MAX_ENTRIES = 100_000;

    private final Cache<String, Instant> validatedAt = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).build();
    private final Duration ttl;
    private final Clock clock;

    TagFreshness(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Whether the tag was confirmed less than a TTL ago. */
    boolean isFresh(String tagKey) {
        Instant at = validatedAt.getIfPresent(tagKey);
        return at != null && clock.instant().isBefore(at.plus(ttl));
    }

    /** Records that the upstream has just confirmed the tag. */
    void confirmed(String tagKey) {
        validatedAt.put(tagKey, clock.instant());
    }
}
