package dev.berth.mirror;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Until when each cached tag may be served with no upstream call: a tag TTL after its upstream last confirmed it, or,
 * while the upstream fails, until it is worth asking again. Kept in memory, in front of the time of confirmation
 * that the store keeps with each tag, which a restart or another instance on the same store reads back.
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

    /** The time on the clock freshness is judged by, to record a confirmation with. */
    Instant now() {
        return clock.instant();
    }

    /** Records that the upstream confirmed the tag at {@code at}: it is fresh until a TTL after. */
    void confirmed(String tagKey, Instant at) {
        freshUntil.put(tagKey, at.plus(ttl));
    }

    /**
     * Whether a tag that the store says its upstream confirmed at {@code at} (absent: not known) is fresh still; if
     * so it is fresh here too until a TTL after that. A time ahead of this clock (another instance's clock) counts
     * as now.
     */
    boolean confirmedAt(String tagKey, Optional<Instant> at) {
        if (at.isEmpty()) {
            return false;
        }
        Instant now = clock.instant();
        Instant until = (at.get().isAfter(now) ? now : at.get()).plus(ttl);
        if (!now.isBefore(until)) {
            return false;
        }
        freshUntil.put(tagKey, until);
        return true;
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
