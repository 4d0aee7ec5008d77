package dev.berth.mirror;

import dev.berth.oci.Digest;
import dev.berth.upstream.UpstreamBlob;
import dev.berth.upstream.UpstreamRange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The byte ranges of cold blobs asked of the upstream lately, shared by the clients asking the same range of the same
 * blob: when a crowd of lazy pullers starts one image, the upstream is asked each range once rather than once per
 * client, and clients past its limit of range requests in flight still get their range at once rather than after the
 * blob's download. A range is kept for a minute from when it was first asked, within a total of memory; one longer
 * than half of it, or one that finds no room, is fetched for its client alone, as it was asked.
 */
final class SharedRanges {
    /** How long a range is kept from when it was first asked, for clients that ask it later. */
    static final Duration KEPT = Duration.ofMinutes(1);
    private static final long MOST = 8L << 20;
    // What a kept range costs at least, its bookkeeping included: many tiny ranges cannot hold more than the total.
    private static final long LEAST_CHARGE = 4096;

    private final long total;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    // Oldest first, so that expiry and making room look at the oldest first.
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private long used;

    /** For a JVM whose heap may grow to {@code maxHeap}: a sixteenth of it, at most 8 MiB (from -Xmx128m). */
    static SharedRanges forHeap(long maxHeap, Clock clock) {
        return new SharedRanges(Math.min(MOST, maxHeap / 16), clock);
    }

    /** At most {@code total} bytes of ranges kept or arriving at once. */
    SharedRanges(long total, Clock clock) {
        this.total = total;
        this.clock = clock;
    }

    /** The longest range shared: half the total. */
    long longest() {
        return total / 2;
    }

    /** The bytes of ranges held now, each counted as at least a few KiB. */
    long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The range of blob {@code digest} that {@code key} names, with a stream of it from its first byte: asked of the
     * upstream through {@code ask} by the first client, and shared by all those asking the same key while it arrives
     * or is kept. Empty as the first client's answer was (the upstream not asked, or it did not serve the range); the
     * other clients get empty too when that answer failed ({@code ask}'s exception reaches the first client only), so
     * their ranges follow the blob's download as its does.
     */
    Optional<UpstreamRange> fetch(Digest digest, String key, Supplier<Optional<UpstreamRange>> ask) {
        Entry mine = new Entry(digest, clock.instant());
        Entry found;
        lock.lock();
        try {
            expire(mine.created);
            found = entries.get(key);
            if (found != null && found.answer.isDone() && !found.answer.join().unbroken()) {
                entries.remove(key);
                found.letGo();
                found = null;
            }
            if (found == null) {
                entries.put(key, mine);
            }
        } finally {
            lock.unlock();
        }
        return found != null ? follow(found, ask) : lead(key, mine, ask);
    }

    private Optional<UpstreamRange> follow(Entry found, Supplier<Optional<UpstreamRange>> ask) {
        Answer answer = found.answer.join();
        if (answer.outcome() == Outcome.NONE) {
            return Optional.empty();
        }
        if (answer.outcome() == Outcome.ALONE) {
            return ask.get();
        }
        Optional<UpstreamBlob> reader = answer.range.reader();
        // Broken or let go of meanwhile: this client asks alone.
        return reader.isEmpty() ? ask.get() : reader.map(r -> new UpstreamRange(r, answer.first, answer.size));
    }

    private Optional<UpstreamRange> lead(String key, Entry mine, Supplier<Optional<UpstreamRange>> ask) {
        // Whatever happens, the clients following this one get an answer, and the key is free again unless shared.
        Answer answer = Answer.NONE;
        UpstreamBlob unsent = null;
        try {
            Optional<UpstreamRange> asked = ask.get();
            if (asked.isEmpty()) {
                return asked;
            }
            UpstreamRange range = asked.get();
            unsent = range.blob();
            SharedRange shared = admit(range.blob());
            if (shared == null) {
                answer = Answer.ALONE;
                unsent = null;
                return asked;
            }
            // This client's reader first, so that the range has a reader from the moment others can find it.
            UpstreamBlob reader = shared.reader().orElseThrow();
            answer = new Answer(Outcome.SHARED, shared, range.first(), range.size());
            unsent = null;
            return Optional.of(new UpstreamRange(reader, range.first(), range.size()));
        } finally {
            if (unsent != null) {
                SharedRange.closeQuietly(unsent);
            }
            settle(key, mine, answer);
        }
    }

    /** The answer as a shared range, its bytes counted in the total; null when it is too long or finds no room. */
    private SharedRange admit(UpstreamBlob blob) {
        long length = blob.length();
        if (length < 0 || length > longest()) {
            return null;
        }
        long charge = Math.max(length, LEAST_CHARGE);
        lock.lock();
        try {
            makeRoom(charge);
            if (used + charge > total) {
                return null;
            }
            used += charge;
            return new SharedRange(blob, () -> freed(charge));
        } finally {
            lock.unlock();
        }
    }

    private void settle(String key, Entry mine, Answer answer) {
        if (answer.outcome() != Outcome.SHARED) {
            lock.lock();
            try {
                entries.remove(key, mine);
            } finally {
                lock.unlock();
            }
        }
        mine.answer.complete(answer);
    }

    private void freed(long length) {
        lock.lock();
        try {
            used -= length;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Lets go of the ranges of blob {@code digest} that arrived, in any repository, once its download ended: stored,
     * its ranges come from the cache; failed, the upstream sent something other than the blob, and its ranges are not
     * trusted any more. Clients reading one still read it to the end.
     */
    void downloaded(Digest digest) {
        lock.lock();
        try {
            Iterator<Entry> it = entries.values().iterator();
            while (it.hasNext()) {
                Entry entry = it.next();
                if (entry.digest.equals(digest) && entry.answer.isDone()) {
                    it.remove();
                    entry.letGo();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lets go of the ranges kept past {@link #KEPT}; their clients reading still read them to the end. */
    private void expire(Instant now) {
        Instant oldest = now.minus(KEPT);
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry entry = it.next();
            if (!entry.created.isBefore(oldest)) {
                return;
            }
            if (entry.answer.isDone()) {
                it.remove();
                entry.letGo();
            }
        }
    }

    /** Lets go of kept ranges nobody reads now, the oldest first, until {@code length} more bytes fit. */
    private void makeRoom(long length) {
        Iterator<Entry> it = entries.values().iterator();
        while (used + length > total && it.hasNext()) {
            Entry entry = it.next();
            if (entry.answer.isDone() && !entry.answer.join().beingRead()) {
                it.remove();
                entry.letGo();
            }
        }
    }

    /** A range asked: its answer once the first client has it. */
    private static final class Entry {
        final Digest digest;
        final Instant created;
        final CompletableFuture<Answer> answer = new CompletableFuture<>();

        Entry(Digest digest, Instant created) {
            this.digest = digest;
            this.created = created;
        }

        /** Once answered and no longer findable: its range is freed when no client reads it any more. */
        void letGo() {
            answer.join().forget();
        }
    }

    /** What the first client's ask came to: no range, a range for it alone, or a range to share. */
    private record Answer(Outcome outcome, SharedRange range, long first, long size) {
        static final Answer NONE = new Answer(Outcome.NONE, null, 0, 0);
        static final Answer ALONE = new Answer(Outcome.ALONE, null, 0, 0);

        boolean unbroken() {
            return range == null || range.unbroken();
        }

        boolean beingRead() {
            return range != null && range.beingRead();
        }

        void forget() {
            if (range != null) {
                range.forget();
            }
        }
    }

    private enum Outcome { NONE, ALONE, SHARED }
}
