package dev.berth.mirror;

import dev.berth.upstream.UpstreamClient.Patience;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The decision on a request for a cached tag, with no I/O and the clock's reading as an input: fresh (served with no
 * upstream call), or not; and when not, whether to revalidate it with the upstream (briefly, when a cached copy can
 * stand in) or to serve the copy stale unasked because the upstream is failing. Its caller, {@link MirroredTags},
 * gathers the inputs and does the asking.
 *
 * @param ttl how long a tag its upstream confirmed is served unasked ({@code mirror.upstreams[].tag-ttl})
 */
record TagPolicy(Duration ttl) {
    /** What to do about a tag that is not fresh, once it is this instance's to ask the upstream. */
    enum WhenStale {
        /** No cached copy: ask the upstream, waiting for it as for any fetch. */
        REVALIDATE,
        /** Ask the upstream, but no longer than its revalidate-timeout: the cached copy stands in. */
        REVALIDATE_BRIEFLY,
        /** The upstream is failing and not due to be asked: serve the cached copy. */
        SERVE_STALE;

        /** How long to wait for the upstream's answer. */
        Patience patience() {
            return this == REVALIDATE ? Patience.FULL : Patience.BRIEF;
        }
    }

    /**
     * Until when the tag may be served unasked, or empty when it must be revalidated: {@code remembered} is what this
     * instance knows (a confirmation, an owner's word, an outage's backoff), {@code confirmed} when the store says its
     * upstream last confirmed it (by this instance before a restart, or by another on the same store; a time ahead of
     * {@code now}, another instance's clock, counts as now).
     */
    Optional<Instant> freshUntil(Instant now, Optional<Instant> remembered, Optional<Instant> confirmed) {
        if (remembered.isPresent() && now.isBefore(remembered.get())) {
            return remembered;
        }
        return confirmed.map(at -> (at.isAfter(now) ? now : at).plus(ttl)).filter(now::isBefore);
    }

    /** What to do about a tag that is not fresh: with a cached copy, the upstream is asked only while worth asking. */
    static WhenStale whenStale(boolean cachedCopy, boolean upstreamWorthAsking) {
        if (!cachedCopy) {
            return WhenStale.REVALIDATE;
        }
        return upstreamWorthAsking ? WhenStale.REVALIDATE_BRIEFLY : WhenStale.SERVE_STALE;
    }

    /** Until when a tag its upstream confirmed at {@code at} is fresh. */
    Instant confirmedUntil(Instant at) {
        return at.plus(ttl);
    }

    /**
     * Until when a tag is served unasked for {@code wait} (its owner's word, or the upstream's backoff), no longer
     * than a TTL, whatever Retry-After the upstream sent (Docker Hub's can be hours); so a fleet revalidates when the
     * owner does.
     */
    Instant unaskedUntil(Instant now, Duration wait) {
        return now.plus(wait.compareTo(ttl) < 0 ? wait : ttl);
    }

    /** How much longer a tag fresh until {@code until} stays so: zero when it must be revalidated now. */
    static Duration left(Instant now, Optional<Instant> until) {
        Duration left = until.map(u -> Duration.between(now, u)).orElse(Duration.ZERO);
        return left.isNegative() ? Duration.ZERO : left;
    }
}
