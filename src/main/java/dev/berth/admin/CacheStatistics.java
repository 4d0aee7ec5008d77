package dev.berth.admin;

import dev.berth.mirror.UpstreamState;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the cache holds and does, for the admin API: usage against the budget, hits and misses, bytes served from the
 * cache against bytes fetched, each upstream's state and rate limit, and the recent evictions and collections. It
 * reads counters and the last round's count only: no store walk, no upstream request.
 */
public final class CacheStatistics {
    private final CacheTally tally;
    private final RoundHistory rounds;
    private final OptionalLong budget;
    private final Supplier<List<UpstreamState>> upstreams;
    private final Function<String, OptionalLong> rateLimitRemaining;

    /**
     * Over the mirror's {@code tally}, this instance's {@code rounds}, the configured {@code budget}, the upstreams'
     * states and the rate limit each last reported.
     */
    public CacheStatistics(CacheTally tally, RoundHistory rounds, OptionalLong budget,
                           Supplier<List<UpstreamState>> upstreams, Function<String, OptionalLong> rateLimitRemaining) {
        this.tally = tally;
        this.rounds = rounds;
        this.budget = budget;
        this.upstreams = upstreams;
        this.rateLimitRemaining = rateLimitRemaining;
    }

    /** The whole report. */
    public Report report() {
        List<Upstream> states = upstreams.get().stream().map(state -> new Upstream(state.registry(),
                state.answering(), state.problem(), rateLimitRemaining.apply(state.registry()),
                tally.of(state.registry()))).toList();
        return new Report(rounds.usage(), budget, tally.all(), states, rounds.evictions(), rounds.collections());
    }

    /** See {@link CacheStatistics}. */
    public record Report(Optional<RoundHistory.Usage> usage, OptionalLong budget, CacheTally.Totals traffic,
                         List<Upstream> upstreams, List<RoundHistory.Eviction> evictions,
                         List<RoundHistory.Collection> collections) {
    }

    /** One upstream: answering or not (and why), its rate limit left, and its cache's traffic. */
    public record Upstream(String registry, boolean answering, Optional<String> problem,
                           OptionalLong rateLimitRemaining, CacheTally.Totals traffic) {
    }
}
