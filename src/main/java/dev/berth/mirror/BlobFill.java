package dev.berth.mirror;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.registry.BlobContent;
import dev.berth.registry.BlobSpool;
import dev.berth.registry.BlobStore;
import dev.berth.upstream.UpstreamBlob;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * One download of a blob from an upstream into the blob store, on its own thread. Each chunk received is kept in
 * memory (the window) while a second thread hashes it and a third writes it to a local scratch file, the spool, so
 * the download waits for neither; every client that wants the blob meanwhile follows the download, taking the chunks
 * near its head from the window and older ones from the spool, so no client waits for the whole blob nor for the
 * disk, and none can slow the download down. The window
 * is bounded per download and its chunks come from a {@link FillMemory} bounded in total: when the disk falls that
 * far behind, the download waits for it. The last byte is held back from clients until the digest has matched: a
 * corrupt or cut download ends their responses short, never as a complete-looking 200. Then the clients get it, and
 * once the spool holds every byte it is imported into the store (the sync, and on an object store an upload) and
 * linked: the blob is visible to other requests once durable, and no client waits for that.
 */
final class BlobFill implements Runnable, FillMemory.Spares {
    private static final Logger LOG = System.getLogger(BlobFill.class.getName());
    /** Chunks a download may hold in its window: how far the spool may fall behind it. */
    static final int WINDOW_CHUNKS = 32;

    private enum State { OPENING, STREAMING, STORED, FAILED }

    /** Received bytes not yet in the spool: where they start in the blob, and a chunk of {@link FillMemory}. */
    private record Chunk(long start, byte[] bytes, int length) {
        long end() {
            return start + length;
        }
    }

    private final Digest digest;
    private final BlobStore blobs;
    private final FillSource source;
    private final FillMemory memory;
    private final CompletableFuture<Void> stored = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    // Clients wait for bytes or an outcome; the download for room in its window; the spool writer for chunks.
    private final Condition progress = lock.newCondition();
    private final Condition room = lock.newCondition();
    private final Condition work = lock.newCondition();
    /**
     * The chunks held, in order: together the bytes up to {@link #received}, from {@link #spooled} or earlier (the
     * spooled ones are kept for clients a little behind the head while there is room).
     */
    private final ArrayDeque<Chunk> window = new ArrayDeque<>();
    private State state = State.OPENING;
    private long length = -1;
    private long received;
    private long spooled;
    private long hashed;
    // Whether the digest matched: from then on clients may have every byte, whatever happens to the import.
    private boolean released;
    private boolean passesStop;
    private RuntimeException passFailure;
    private RegistryException failure;
    private BlobSpool spool;

    /**
     * A fill of {@code digest} whose bytes come from {@code source}, which throws a RegistryException on failure, held
     * until spooled in chunks from {@code memory}.
     */
    BlobFill(Digest digest, BlobStore blobs, FillSource source, FillMemory memory) {
        this.digest = digest;
        this.blobs = blobs;
        this.source = source;
        this.memory = memory;
    }

    /** Completes when the blob is verified and stored; fails with the fill's error. */
    CompletableFuture<Void> stored() {
        return stored;
    }

    @Override
    public void run() {
        try {
            fetch();
            // Linked into the joiners' repositories and forgotten by BlobFills before the state says so; until then
            // a client asking for the blob joins this fill.
            stored.complete(null);
            update(() -> state = State.STORED);
        } catch (RegistryException e) {
            fail(e);
        } catch (IOException | RuntimeException e) {
            fail(new RegistryException(OciError.UNAVAILABLE, "the upstream download of " + digest + " broke off after "
                    + received() + " bytes: " + e.getMessage(), e).withHeader("Retry-After", "1"));
        }
    }

    /**
     * Downloads while the spool writer follows, verifies, releases the last byte, waits for the spool, imports. The
     * fill lets go of the spool (deleted unless imported) before anyone learns the outcome; clients reading it hold it
     * open themselves.
     */
    private void fetch() throws IOException {
        try (UpstreamBlob blob = source.open(); BlobSpool opened = blobs.spool(digest)) {
            update(() -> {
                spool = opened;
                length = blob.length();
                state = State.STREAMING;
            });
            memory.lend(this);
            String name = digest.hex().substring(0, 12);
            Thread writer = Thread.ofVirtual().name("berth-spool-" + name).start(() -> pass(() -> spooled,
                    end -> spooled = end, chunk -> opened.write(chunk.bytes(), 0, chunk.length())));
            Thread hasher = Thread.ofVirtual().name("berth-hash-" + name).start(() -> pass(() -> hashed,
                    end -> hashed = end, chunk -> opened.hash(chunk.bytes(), 0, chunk.length())));
            try {
                receive(blob.content());
                awaitPass(() -> hashed);
                verify(opened);
                update(() -> released = true);
                awaitPass(() -> spooled);
            } finally {
                memory.stopLending(this);
                stopPasses(writer, hasher);
            }
            source.store(opened);
        }
    }

    /**
     * Opens the blob for one client: waits until the upstream has answered (and, when it did not say how large the
     * blob is, until it is verified), then returns content that follows the download. Throws the fill's error when
     * the upstream did not give the blob.
     */
    BlobContent open() {
        lock.lock();
        try {
            while (state == State.OPENING || (state == State.STREAMING && length <= 0 && !released)) {
                progress.awaitUninterruptibly();
            }
            if (state == State.FAILED && !released) {
                throw failure;
            }
            if (spool.retain()) {
                return new Follower(released ? received : length);
            }
            // Nobody holds the spool any more: the fill let go of it, and its outcome is a moment away.
            while (state == State.STREAMING) {
                progress.awaitUninterruptibly();
            }
            if (state == State.FAILED) {
                throw failure;
            }
        } finally {
            lock.unlock();
        }
        // Stored, and the spool closed already.
        return blobs.open(digest).orElseThrow(() -> new RegistryException(OciError.BLOB_UNKNOWN,
                "blob " + digest + " vanished after it was stored"));
    }

    private void receive(InputStream in) throws IOException {
        while (true) {
            byte[] chunk = takeChunk();
            int n;
            try {
                // Whole chunks: OkHttp's stream returns at most 8 KiB per read, and every step wakes every follower.
                // The price: behind a slow upstream they get a chunk at a time. An upstream that sends more than the
                // length expected is cut off one byte past it.
                n = in.readNBytes(chunk, 0, nextRead(chunk.length));
                if (n > 0 && length >= 0 && received() + n > length) {
                    throw new IOException("the upstream sent more than the " + length + " bytes expected");
                }
            } catch (IOException | RuntimeException e) {
                memory.give(chunk);
                throw e;
            }
            if (n <= 0) {
                memory.give(chunk);
                break;
            }
            int count = n;
            update(() -> {
                window.addLast(new Chunk(received, chunk, count));
                received += count;
                work.signalAll();
            });
        }
        if (length >= 0 && received() != length) {
            throw new IOException("the upstream sent " + received() + " of " + length + " bytes");
        }
    }

    /**
     * A chunk for the next read: a new one while the window has room and memory is free, else the window's oldest
     * once it is hashed and spooled. Those stay in the window, for clients a little behind the head, until the window
     * is full or another download takes them ({@link #spare}). Throws a pass's failure.
     */
    private byte[] takeChunk() throws IOException {
        while (true) {
            lock.lock();
            try {
                if (passFailure != null) {
                    throw passFailure;
                }
                if (window.size() >= WINDOW_CHUNKS) {
                    byte[] oldest = removeSpooled();
                    if (oldest != null) {
                        return oldest;
                    }
                    room.awaitUninterruptibly();
                    continue;
                }
            } finally {
                lock.unlock();
            }
            byte[] chunk = memory.tryTake();
            if (chunk != null) {
                return chunk;
            }
            lock.lock();
            try {
                byte[] oldest = removeSpooled();
                if (oldest != null) {
                    return oldest;
                }
                if (!window.isEmpty()) {
                    // Every chunk in use, none of this download's spooled yet: its writer frees one soon.
                    room.awaitUninterruptibly();
                    continue;
                }
            } finally {
                lock.unlock();
            }
            try {
                return memory.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for memory for " + digest);
            }
        }
    }

    /** The window's oldest chunk when hashed and spooled, for another download short of memory; or null. */
    @Override
    public byte[] spare() {
        lock.lock();
        try {
            return removeSpooled();
        } finally {
            lock.unlock();
        }
    }

    /** Removes the window's oldest chunk when hashed and spooled, returning its bytes; else null. Under the lock. */
    private byte[] removeSpooled() {
        return oldestSpooled() ? window.removeFirst().bytes() : null;
    }

    /** Whether the window's oldest chunk is hashed and spooled. Under the lock. */
    private boolean oldestSpooled() {
        Chunk oldest = window.peekFirst();
        return oldest != null && oldest.end() <= Math.min(spooled, hashed);
    }

    /** How much to read next: a chunk, or with a length expected, no more than one byte past it. */
    private int nextRead(int chunk) {
        return length >= 0 ? (int) Math.min(chunk, length - received() + 1) : chunk;
    }

    /** One step of a pass over the window: a chunk hashed, or written to the spool. */
    @FunctionalInterface
    private interface ChunkStep {
        void take(Chunk chunk) throws IOException;
    }

    /**
     * A pass over the window's chunks in order, leaving them in it: the hasher's or the spool writer's, on a thread of
     * its own, so that the download waits for neither, and the last byte for the hash alone. {@code done} reads how
     * far the pass has come and {@code advance} moves it, both under the lock. A failure stops the download.
     */
    private void pass(LongSupplier done, LongConsumer advance, ChunkStep step) {
        try {
            Chunk next;
            while ((next = nextAfter(done)) != null) {
                step.take(next);
                long end = next.end();
                boolean spare;
                lock.lock();
                try {
                    advance.accept(end);
                    room.signal();
                    spare = oldestSpooled();
                } finally {
                    lock.unlock();
                }
                if (spare) {
                    // Hashed and spooled, the window's oldest chunk is one another download short of memory may take.
                    memory.offered();
                }
            }
        } catch (IOException e) {
            failPass(new RegistryException(OciError.UNAVAILABLE,
                    "writing the download of " + digest + " to disk failed: " + e.getMessage(), e));
        } catch (RuntimeException e) {
            failPass(e);
        }
    }

    /** A pass failed: the download stops with that error. */
    private void failPass(RuntimeException failed) {
        locked(() -> {
            passFailure = failed;
            room.signal();
        });
    }

    /** The chunk that starts where {@code done} has come, once received; null once the passes are to stop. */
    private Chunk nextAfter(LongSupplier done) {
        lock.lock();
        try {
            while (done.getAsLong() == received && !passesStop) {
                work.awaitUninterruptibly();
            }
            if (passesStop) {
                return null;
            }
            long position = done.getAsLong();
            for (Chunk chunk : window) {
                if (chunk.start() == position) {
                    return chunk;
                }
            }
            throw new IllegalStateException("byte " + position + " of " + digest + " was received but is not held");
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the pass {@code done} reads has taken every byte received; throws a pass's failure. */
    private void awaitPass(LongSupplier done) {
        lock.lock();
        try {
            while (done.getAsLong() < received && passFailure == null) {
                room.awaitUninterruptibly();
            }
            if (passFailure != null) {
                throw passFailure;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the spool writer and the hasher, at once when the download failed, and gives back the window's chunks:
     * what clients may still read is what the spool holds.
     */
    private void stopPasses(Thread writer, Thread hasher) {
        locked(() -> {
            passesStop = true;
            work.signalAll();
        });
        boolean interrupted = false;
        for (Thread thread : new Thread[] {writer, hasher}) {
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        lock.lock();
        try {
            window.forEach(chunk -> memory.give(chunk.bytes()));
            window.clear();
            received = spooled;
        } finally {
            lock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void verify(BlobSpool opened) {
        try {
            opened.verify();
        } catch (RegistryException e) {
            LOG.log(Logger.Level.WARNING, "upstream sent corrupt bytes for " + digest + ": " + e.getMessage());
            throw new RegistryException(OciError.UNAVAILABLE, "the upstream sent bytes that do not match " + digest)
                    .withHeader("Retry-After", "1");
        }
    }

    private void fail(RegistryException e) {
        // Forgotten by BlobFills before any client learns of the failure, so a client retrying at once starts a new
        // download instead of joining this failed one.
        stored.completeExceptionally(e);
        update(() -> {
            failure = e;
            state = State.FAILED;
        });
    }

    /** Makes {@code change} under the lock and wakes the clients waiting for the download's progress. */
    private void update(Runnable change) {
        locked(() -> {
            change.run();
            progress.signalAll();
        });
    }

    private void locked(Runnable change) {
        lock.lock();
        try {
            change.run();
        } finally {
            lock.unlock();
        }
    }

    /** How far the download has come: the bytes received so far, 0 until it streams. */
    long received() {
        lock.lock();
        try {
            return received;
        } finally {
            lock.unlock();
        }
    }

    private long spooled() {
        lock.lock();
        try {
            return spooled;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a byte past {@code position} may be sent: received and, unless the digest matched, not the last.
     * Returns the end of what may be sent; throws the fill's error when it failed before the digest matched, or when
     * it failed after and the bytes asked for were not spooled.
     */
    private long awaitSendable(long position) {
        lock.lock();
        try {
            while (true) {
                if (state == State.FAILED && !released) {
                    // The fill's own error: answered as such (503, Retry-After) while nothing is sent yet, and
                    // breaking the connection once the body is under way.
                    throw failure;
                }
                long sendable = released ? received : Math.min(received, length - 1);
                if (sendable > position) {
                    return sendable;
                }
                if (state == State.FAILED) {
                    throw failure;
                }
                progress.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies up to {@code count} bytes from {@code position} out of the window; -1 when only the spool holds them.
     * Under the lock, so that the chunk is not given back meanwhile: a slow client holds no chunk.
     */
    private int copyFromWindow(long position, byte[] into, int count) {
        lock.lock();
        try {
            Chunk oldest = window.peekFirst();
            if (oldest == null || position < oldest.start()) {
                return -1;
            }
            for (Chunk chunk : window) {
                if (position < chunk.end()) {
                    int n = (int) Math.min(count, chunk.end() - position);
                    System.arraycopy(chunk.bytes(), (int) (position - chunk.start()), into, 0, n);
                    return n;
                }
            }
            throw new IllegalStateException("byte " + position + " of " + digest + " is neither spooled nor received");
        } finally {
            lock.unlock();
        }
    }

    /** One client's view of the download: the window's or the spool's bytes as they come, until it is done. */
    private final class Follower implements BlobContent {
        private final long size;
        private boolean closed;

        Follower(long size) {
            this.size = size;
        }

        @Override
        public Digest digest() {
            return digest;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public void copyTo(long offset, long count, OutputStream out) throws IOException {
            long position = offset;
            long end = offset + count;
            byte[] buffer = new byte[memory.chunkSize()];
            while (position < end) {
                long sendable = awaitSendable(position);
                int want = (int) Math.min(buffer.length, Math.min(sendable, end) - position);
                int n = copyFromWindow(position, buffer, want);
                if (n < 0) {
                    // No further than the spool writer has come: past it a write may be under way.
                    n = spool.read(position, ByteBuffer.wrap(buffer, 0, (int) Math.min(want, spooled() - position)));
                }
                if (n < 0) {
                    throw new IOException("the spool of " + digest + " ended at " + position + " bytes");
                }
                out.write(buffer, 0, n);
                // HTTP/2 holds a response's first write back until the next, which the upstream may be slow to
                // bring: sent now, the client has its bytes (and the status) while the download runs.
                out.flush();
                position += n;
            }
        }

        @Override
        public void close() throws IOException {
            // The download goes on for the others and for the cache; only this client's hold on the spool goes.
            if (!closed) {
                closed = true;
                spool.release();
            }
        }
    }
}
