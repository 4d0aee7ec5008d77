package dev.berth.admin;

import dev.berth.budget.BudgetEvents;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The last few housekeeping rounds this instance ran: disk budget rounds that evicted something, and garbage
 * collections, newest first, at most {@link #KEPT} of each; and what the last budget round counted.
 */
public final class RoundHistory implements BudgetEvents {
    /** How many of each kind of round are kept. */
    static final int KEPT = 20;

    private final Clock clock;
    private final Deque<Eviction> evictions = new ArrayDeque<>();
    private final Deque<Collection> collections = new ArrayDeque<>();
    private volatile Optional<Usage> usage = Optional.empty();

    public RoundHistory(Clock clock) {
        this.clock = clock;
    }

    /** A budget round that evicted: {@code evicted} blobs and manifests of {@code bytes}, from {@code usedBytes}. */
    public record Eviction(Instant at, int evicted, long bytes, long usedBytes) {
    }

    /** A garbage collection and what it removed. */
    public record Collection(Instant at, int links, int blobs, long bytes) {
    }

    /** What the last budget round left of evictable mirrored content, and when it counted. */
    public record Usage(Instant at, long bytes) {
    }

    @Override
    public void budgetRound(long usedBytes, int evicted, long evictedBytes) {
        Instant now = clock.instant();
        usage = Optional.of(new Usage(now, usedBytes - evictedBytes));
        if (evicted > 0) {
            add(evictions, new Eviction(now, evicted, evictedBytes, usedBytes));
        }
    }

    /** Records a garbage collection that just ended. */
    public void collected(int links, int blobs, long bytes) {
        add(collections, new Collection(clock.instant(), links, blobs, bytes));
    }

    /** The recent evicting rounds, newest first. */
    public synchronized List<Eviction> evictions() {
        return List.copyOf(evictions);
    }

    /** The recent collections, newest first. */
    public synchronized List<Collection> collections() {
        return List.copyOf(collections);
    }

    /** The last budget round's count, if one ran on this instance. */
    public Optional<Usage> usage() {
        return usage;
    }

    private synchronized <T> void add(Deque<T> rounds, T round) {
        rounds.addFirst(round);
        if (rounds.size() > KEPT) {
            rounds.removeLast();
        }
    }
}
