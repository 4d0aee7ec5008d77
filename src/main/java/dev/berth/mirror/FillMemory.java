package dev.berth.mirror;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The memory all downloads hold the chunks they received in until written to their spools: chunks of one size,
 * reused rather than left to the collector while downloads run, and no more of them in use at once than the total
 * allows, so that the windows of many cold blobs at once cost a known, bounded heap. A download that finds none free
 * reuses its own oldest, or when it holds none takes a spooled one from another download's window.
 */
final class FillMemory {
    private final int chunkSize;
    private final int total;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition returned = lock.newCondition();
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private final Set<Spares> lenders = ConcurrentHashMap.newKeySet();
    // Takers waiting for a chunk, so that a lender tells of its spares only when somebody waits for one.
    private final AtomicInteger waiting = new AtomicInteger();
    private int inUse;
    // Counts the lenders' offers, so that a taker who looked at their spares before an offer looks again; raised
    // under the lock, so that a taker comparing under it cannot miss the signal.
    private final AtomicLong offers = new AtomicLong();

    /** Bytes in a chunk: what a download reads at a time, and what its clients get at a time. */
    static final int CHUNK = 256 * 1024;
    private static final long MOST = 32L << 20;

    /** A holder of chunks that can spare some: a download whose window holds chunks already spooled. */
    interface Spares {
        /** A chunk it no longer needs, which the caller now holds; null when it has none to spare. */
        byte[] spare();
    }

    /**
     * The memory for a JVM whose heap may grow to {@code maxHeap}: a quarter of it, at most 32 MiB (8 MiB with
     * -Xmx32m, 32 MiB from -Xmx128m), and never less than one download's window.
     */
    static FillMemory forHeap(long maxHeap) {
        long bytes = Math.min(MOST, maxHeap / 4);
        return new FillMemory(CHUNK, (int) Math.max(BlobFill.WINDOW_CHUNKS, bytes / CHUNK));
    }

    /** At most {@code total} chunks of {@code chunkSize} bytes in use at once. */
    FillMemory(int chunkSize, int total) {
        if (chunkSize <= 0 || total <= 0) {
            throw new IllegalArgumentException("a chunk size and a total above 0");
        }
        this.chunkSize = chunkSize;
        this.total = total;
    }

    /** The size of every chunk. */
    int chunkSize() {
        return chunkSize;
    }

    /**
     * A chunk to fill. When all are in use it takes a spare one from a download that lends its spooled chunks, else
     * waits for one to be given back or {@linkplain #offered offered}.
     */
    byte[] take() throws InterruptedException {
        while (true) {
            byte[] chunk = tryTake();
            if (chunk != null) {
                return chunk;
            }
            waiting.incrementAndGet();
            try {
                long seen = offers.get();
                for (Spares lender : lenders) {
                    byte[] spare = lender.spare();
                    if (spare != null) {
                        return spare;
                    }
                }
                lock.lock();
                try {
                    while (inUse == total && offers.get() == seen) {
                        returned.await();
                    }
                } finally {
                    lock.unlock();
                }
            } finally {
                waiting.decrementAndGet();
            }
        }
    }

    /** Tells takers waiting for a chunk that a lender may now have one to spare. */
    void offered() {
        if (waiting.get() == 0) {
            return;
        }
        lock.lock();
        try {
            offers.incrementAndGet();
            returned.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A chunk to fill, or null when all are in use. */
    byte[] tryTake() {
        lock.lock();
        try {
            return inUse == total ? null : claim();
        } finally {
            lock.unlock();
        }
    }

    /** Lets {@link #take} take the spare chunks of {@code spares} until {@link #stopLending}. */
    void lend(Spares spares) {
        lenders.add(spares);
    }

    /** Ends {@link #lend}. */
    void stopLending(Spares spares) {
        lenders.remove(spares);
    }

    private byte[] claim() {
        inUse++;
        byte[] chunk = free.poll();
        return chunk != null ? chunk : new byte[chunkSize];
    }

    /** Gives back a chunk from {@link #take}, whose bytes nobody reads any more. */
    void give(byte[] chunk) {
        lock.lock();
        try {
            inUse--;
            if (inUse == 0) {
                // No download runs: an idle berth holds none of this memory.
                free.clear();
            } else {
                free.push(chunk);
            }
            returned.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Whether a taker is waiting now for a chunk to be given back or offered, having found none to take. */
    boolean hasTakersWaiting() {
        lock.lock();
        try {
            return lock.hasWaiters(returned);
        } finally {
            lock.unlock();
        }
    }

    /** How many chunks are in use now. */
    int inUse() {
        lock.lock();
        try {
            return inUse;
        } finally {
            lock.unlock();
        }
    }
}
