package dev.berth.mirror;

import java.time.Clock;
import java.time.Duration;

/**
 * Names the upstream said it does not have, remembered briefly, so that a fleet asking for a missing tag or blob does
 * not send every request upstream.
 */
final class NegativeCache {
    private final UntilTimes absentUntil = new UntilTimes();
    private final Duration ttl;
    private final Clock clock;

    NegativeCache(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Whether the upstream recently answered that {@code key} does not exist. */
    boolean isAbsent(String key) {
        return absentUntil.holdsAt(key, clock.instant());
    }

    /** Remembers that the upstream does not have {@code key}. */
    void remember(String key) {
        if (!ttl.isZero()) {
            absentUntil.put(key, clock.instant().plus(ttl));
        }
    }
}
