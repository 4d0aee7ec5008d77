package dev.berth.mirror;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Until when each cached tag may be served with no upstream call: a tag TTL after its upstream last confirmed it, or,
 * while the upstream fails, until it is worth asking again. Kept in memory only: after a restart every tag is
 * revalidated once, which costs a HEAD each and keeps stale-if-error working from what is on disk.
 */
final class TagFreshness {
    private static final int MAX_ENTRIES = 100_000;

    private final Cache<String, Instant> freshUntil = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).build();
    private final Duration ttl;
    private final Clock clock;

    TagFreshness(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Whether the tag may be served without asking the upstream. */
    boolean isFresh(String tagKey) {
        Instant until = freshUntil.getIfPresent(tagKey);
        return until != null && clock.instant().isBefore(until);
    }

    /** Records that the upstream has just confirmed the tag: it is fresh for a TTL. */
    void confirmed(String tagKey) {
        freshUntil.put(tagKey, clock.instant().plus(ttl));
    }

    /** How much longer the tag may be served without asking the upstream: zero when it must be asked now. */
    Duration remaining(String tagKey) {
        Instant until = freshUntil.getIfPresent(tagKey);
        Duration left = until == null ? Duration.ZERO : Duration.between(clock.instant(), until);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * Records what the tag's owner in the fleet said: it may be served unasked for {@code left}, no longer than a TTL,
     * so the whole fleet revalidates when the owner does.
     */
    void freshFor(String tagKey, Duration left) {
        freshUntil.put(tagKey, clock.instant().plus(left.compareTo(ttl) < 0 ? left : ttl));
    }

    /**
     * Records that the upstream could not be asked about the tag: the cached one stands in for {@code wait}, but no
     * longer than a TTL, whatever Retry-After the upstream sent (Docker Hub's can be hours).
     */
    void retryAfter(String tagKey, Duration wait) {
        freshUntil.put(tagKey, clock.instant().plus(wait.compareTo(ttl) < 0 ? wait : ttl));
    }
}
