package dev.berth.admin;

import dev.berth.mirror.MirrorEvents;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The mirror's hits, misses and bytes per upstream registry since start, from the events that feed the metrics, for
 * the admin API's statistics.
 */
public final class CacheTally implements MirrorEvents {
    private final Map<String, Counts> byRegistry = new ConcurrentHashMap<>();

    /** What one registry's cache did: requests answered from the cache and not, bytes served and fetched. */
    public record Totals(long hits, long misses, long hitBytes, long fetchedBytes) {
        static final Totals NONE = new Totals(0, 0, 0, 0);

        Totals plus(Totals other) {
            return new Totals(hits + other.hits, misses + other.misses, hitBytes + other.hitBytes,
                    fetchedBytes + other.fetchedBytes);
        }
    }

    private static final class Counts {
        final LongAdder hits = new LongAdder();
        final LongAdder misses = new LongAdder();
        final LongAdder hitBytes = new LongAdder();
        final LongAdder fetchedBytes = new LongAdder();

        Totals totals() {
            return new Totals(hits.sum(), misses.sum(), hitBytes.sum(), fetchedBytes.sum());
        }
    }

    @Override
    public void hit(String registry, Kind kind, long bytes) {
        Counts counts = counts(registry);
        counts.hits.increment();
        counts.hitBytes.add(bytes);
    }

    @Override
    public void miss(String registry, Kind kind) {
        counts(registry).misses.increment();
    }

    @Override
    public void received(String registry, long bytes) {
        counts(registry).fetchedBytes.add(bytes);
    }

    /** The totals of {@code registry}; zero for one that saw no traffic. */
    public Totals of(String registry) {
        Counts counts = byRegistry.get(registry);
        return counts == null ? Totals.NONE : counts.totals();
    }

    /** The totals of every registry together. */
    public Totals all() {
        return byRegistry.values().stream().map(Counts::totals).reduce(Totals.NONE, Totals::plus);
    }

    private Counts counts(String registry) {
        return byRegistry.computeIfAbsent(registry, r -> new Counts());
    }
}
