package dev.berth.mirror;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Until when each cached tag may be served with no upstream call, as {@link TagPolicy} decides it on this clock: a
 * tag TTL after its upstream last confirmed it, or, while the upstream fails, until it is worth asking again. Kept in
 * memory, in front of the time of confirmation that the store keeps with each tag, which a restart or another
 * instance on the same store reads back.
 */
final class TagFreshness {
    private final UntilTimes freshUntil = new UntilTimes();
    private final TagPolicy policy;
    private final Clock clock;

    TagFreshness(Duration ttl, Clock clock) {
        this.policy = new TagPolicy(ttl);
        this.clock = clock;
    }

    /**
     * Whether the tag may be served without asking the upstream, with {@code confirmed} the time of confirmation the
     * store holds (absent: not known); if the store's makes it fresh, it is fresh in memory too from now on.
     */
    boolean isFresh(String tagKey, Optional<Instant> confirmed) {
        Optional<Instant> remembered = freshUntil.get(tagKey);
        Optional<Instant> until = policy.freshUntil(clock.instant(), remembered, confirmed);
        until.filter(u -> !until.equals(remembered)).ifPresent(u -> freshUntil.put(tagKey, u));
        return until.isPresent();
    }

    /** The time on the clock freshness is judged by, to record a confirmation with. */
    Instant now() {
        return clock.instant();
    }

    /** Records that the upstream confirmed the tag at {@code at}: it is fresh until a TTL after. */
    void confirmed(String tagKey, Instant at) {
        freshUntil.put(tagKey, policy.confirmedUntil(at));
    }

    /** How much longer the tag may be served without asking the upstream: zero when it must be asked now. */
    Duration remaining(String tagKey) {
        return TagPolicy.left(clock.instant(), freshUntil.get(tagKey));
    }

    /**
     * Records that the tag is served unasked for {@code wait}, no longer than a TTL: what its owner in the fleet said,
     * or how long until a failing upstream is worth asking again.
     */
    void unaskedFor(String tagKey, Duration wait) {
        freshUntil.put(tagKey, policy.unaskedUntil(clock.instant(), wait));
    }
}
