package dev.berth.cluster;

import dev.berth.storage.ConditionalWrites;
import dev.berth.storage.ConditionalWrites.Versioned;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * A lease on one kind of background round (garbage collection, the disk budget) in a store that several instances
 * share, so that one instance at a time runs it. The lease is a small object naming its holder and until when it
 * holds; it is taken and renewed by compare-and-set, and an instance that dies mid-round leaves a lease that others
 * take once it has expired, plus a margin for clocks that disagree.
 */
public final class RoundLease {
    /** How far apart instances' clocks may be without two of them holding one lease. */
    static final Duration CLOCK_MARGIN = Duration.ofSeconds(30);
    private static final int MAX_BYTES = 1024;

    private final ConditionalWrites store;
    private final String key;
    private final String holder;
    private final Duration term;
    private final Clock clock;

    /** The lease at {@code key}, taken as {@code holder} for {@code term} at a time. */
    public RoundLease(ConditionalWrites store, String key, String holder, Duration term, Clock clock) {
        if (holder.isBlank() || holder.contains(" ") || holder.contains("\n")) {
            throw new IllegalArgumentException("a lease holder is one word: " + holder);
        }
        this.store = store;
        this.key = key;
        this.holder = holder;
        this.term = term;
        this.clock = clock;
    }

    /** Takes the lease, or renews it when this holder has it; false while another holder's term runs. */
    public synchronized boolean acquire() {
        Instant now = clock.instant();
        Optional<Versioned> current = store.readVersioned(key, MAX_BYTES);
        byte[] mine = record(now.plus(term));
        if (current.isEmpty()) {
            return taken(store.writeIfAbsent(key, mine), mine);
        }
        Record held = Record.parse(current.get().content());
        boolean free = held.holder().equals(holder) || held.until().plus(CLOCK_MARGIN).isBefore(now);
        return free && taken(store.writeIfMatch(key, mine, current.get().version()), mine);
    }

    /** Ends this holder's term early, so another instance need not wait for it to run out. */
    public synchronized void release() {
        Optional<Versioned> current = store.readVersioned(key, MAX_BYTES);
        if (current.isPresent() && Record.parse(current.get().content()).holder().equals(holder)) {
            store.writeIfMatch(key, record(Instant.EPOCH), current.get().version());
        }
    }

    private boolean taken(boolean written, byte[] mine) {
        // Read back: a store that ignores the condition lets two writers both "succeed"; only one record is there.
        return written && store.readVersioned(key, MAX_BYTES).filter(v -> Arrays.equals(v.content(), mine)).isPresent();
    }

    private byte[] record(Instant until) {
        return (holder + " " + until.toEpochMilli() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The stored form: the holder's name and the end of its term in epoch milliseconds. */
    private record Record(String holder, Instant until) {
        static Record parse(byte[] content) {
            String[] words = new String(content, StandardCharsets.UTF_8).trim().split(" ");
            try {
                return new Record(words[0], Instant.ofEpochMilli(Long.parseLong(words[1])));
            } catch (RuntimeException e) {
                // A damaged lease is an expired one: a round may start, which the next holder's write repairs.
                return new Record("", Instant.EPOCH);
            }
        }
    }
}
