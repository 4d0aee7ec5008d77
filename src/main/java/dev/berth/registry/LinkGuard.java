package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Keeps garbage collection from deleting what a concurrent push is linking. Writers of links hold their repository's
 * lock shared (the collector's link sweep holds it exclusively) and then the digest's lock, under which they check the
 * blob is stored and record the digest while a collection runs; the collector deletes a blob under the digest's lock
 * only if nothing recorded it. Locks are striped, so memory stays bounded whatever the number of names.
 */
final class LinkGuard {
    private static final int STRIPES = 256;

    private final ReadWriteLock[] repositories = new ReadWriteLock[STRIPES];
    private final ReentrantLock[] digests = new ReentrantLock[STRIPES];
    private volatile Set<Digest> linkedDuringCollection;
    private final LinkMarks marks;

    /** A guard for a store that this process alone writes. */
    LinkGuard() {
        this(LinkMarks.NONE);
    }

    /** A guard that also leaves {@code marks} for collectors in other processes. */
    LinkGuard(LinkMarks marks) {
        this.marks = marks;
        for (int i = 0; i < STRIPES; i++) {
            repositories[i] = new ReentrantReadWriteLock();
            digests[i] = new ReentrantLock();
        }
    }

    /** Runs a writer of links in {@code name}; many run at once, never during that repository's link sweep. */
    <T> T sharing(RepoName name, Supplier<T> writer) {
        ReadWriteLock lock = repositories[stripe(name.value())];
        lock.readLock().lock();
        try {
            return writer.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Runs {@code sweep} with no link writer in {@code name} running; empty, without running it, when one is. A busy
     * repository is skipped rather than waited for, so pushes never queue behind the collector.
     */
    <T> Optional<T> tryExclusive(RepoName name, Supplier<T> sweep) {
        ReadWriteLock lock = repositories[stripe(name.value())];
        if (!lock.writeLock().tryLock()) {
            return Optional.empty();
        }
        try {
            return Optional.of(sweep.get());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Runs {@code link}, which stores or checks the blob and links it, under the digest's lock. */
    void linking(Digest digest, Runnable link) {
        linking(digest, () -> false, link);
    }

    /**
     * As {@link #linking(Digest, Runnable)}, unless {@code linked} finds, under the digest's lock, that the link is made
     * already: then nothing is marked or written, as for a read of what is linked. Clients that wait for the lock to
     * make the same link (a fleet's instances, each asked for a blob another one just stored) then pass one by one
     * without a write each.
     */
    void linking(Digest digest, BooleanSupplier linked, Runnable link) {
        ReentrantLock lock = digests[stripe(digest.toString())];
        lock.lock();
        try {
            if (linked.getAsBoolean()) {
                return;
            }
            marks.marking(digest);
            link.run();
            marks.confirm(digest);
            // Recorded after linking: a collection that starts before this read finds the link on disk, and one that
            // started earlier finds the digest recorded.
            Set<Digest> recording = linkedDuringCollection;
            if (recording != null) {
                recording.add(digest);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code delete} under the digest's lock, during a collection, unless the digest was linked since it began. */
    boolean deleteUnlessLinked(Digest digest, Supplier<Boolean> delete) {
        return holding(digest, () -> {
            Set<Digest> recording = linkedDuringCollection;
            return recording != null && !recording.contains(digest) && delete.get();
        });
    }

    /** Runs {@code action} under the digest's lock: no link to the digest is made meanwhile. */
    <T> T holding(Digest digest, Supplier<T> action) {
        ReentrantLock lock = digests[stripe(digest.toString())];
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** When another process last linked {@code digest}, where processes share the store and leave marks. */
    Optional<Instant> linkedElsewhereAt(Digest digest) {
        return marks.markedAt(digest);
    }

    /** From now on, links made are recorded, until {@link #endCollection()}. */
    void startCollection() {
        linkedDuringCollection = ConcurrentHashMap.newKeySet();
    }

    /** Stops recording. */
    void endCollection() {
        linkedDuringCollection = null;
    }

    private static int stripe(String key) {
        return Math.floorMod(key.hashCode(), STRIPES);
    }
}
