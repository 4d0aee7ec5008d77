package dev.berth.mirror;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Names the upstream said it does not have, remembered briefly, so that a fleet asking for a missing tag or blob does
 * not send every request upstream.
 */
final class NegativeCache {
    private static final int MAX_ENTRIES = 100_000;

    private final Cache<String, Instant> absentUntil = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).build();
    private final Duration ttl;
    private final Clock clock;

    NegativeCache(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Whether the upstream recently answered that {@code key} does not exist. */
    boolean isAbsent(String key) {
        Instant until = absentUntil.getIfPresent(key);
        if (until == null) {
            return false;
        }
        if (clock.instant().isBefore(until)) {
            return true;
        }
        absentUntil.asMap().remove(key, until);
        return false;
    }

    /** Remembers that the upstream does not have {@code key}. */
    void remember(String key) {
        if (!ttl.isZero()) {
            absentUntil.put(key, clock.instant().plus(ttl));
        }
    }
}
