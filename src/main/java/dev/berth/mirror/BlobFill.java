package dev.berth.mirror;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.registry.BlobContent;
import dev.berth.registry.BlobStore;
import dev.berth.registry.BlobWriter;
import dev.berth.upstream.UpstreamBlob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * One download of a blob from an upstream into the blob store, on its own thread. The bytes go to a temporary file
 * while they are hashed; every client that wants the blob meanwhile follows that file as it grows, so no client
 * waits for the whole blob and none can slow the download down. The last byte is held back from clients until the
 * digest has matched: a corrupt or cut download ends their responses short, never as a complete-looking 200.
 */
final class BlobFill implements Runnable {
    private static final Logger LOG = System.getLogger(BlobFill.class.getName());
    private static final int CHUNK = 256 * 1024;

    private enum State { OPENING, STREAMING, COMMITTED, FAILED }

    private final Digest digest;
    private final BlobStore blobs;
    private final Supplier<UpstreamBlob> source;
    private final CompletableFuture<Void> committed = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    // Readers read back from the writer's file under the read lock; closing it takes the write lock.
    private final ReadWriteLock fileGuard = new ReentrantReadWriteLock();
    private State state = State.OPENING;
    private long length = -1;
    private long written;
    // Whether readers may read the writer's file. It closes (commit or failure) before the state says so, so readers
    // must not take STREAMING to mean an open file. Changed under the file guard's write lock and the progress lock.
    private boolean fileOpen;
    private RegistryException failure;
    private BlobWriter writer;

    /** A fill of {@code digest} whose bytes come from {@code source}, which throws a RegistryException on failure. */
    BlobFill(Digest digest, BlobStore blobs, Supplier<UpstreamBlob> source) {
        this.digest = digest;
        this.blobs = blobs;
        this.source = source;
    }

    /** Completes when the blob is stored and verified; fails with the fill's error. */
    CompletableFuture<Void> committed() {
        return committed;
    }

    @Override
    public void run() {
        try (UpstreamBlob blob = source.get()) {
            BlobWriter opened = blobs.writer(digest);
            update(() -> {
                writer = opened;
                fileOpen = true;
                length = blob.length();
                state = State.STREAMING;
            });
            copy(blob.content(), opened);
            commit(opened);
            // Linked into the joiners' repositories and forgotten by BlobFills before any reader learns of the
            // commit: a client gets its last byte only once the blob is cached, so asking again finds it there.
            committed.complete(null);
            update(() -> state = State.COMMITTED);
        } catch (RegistryException e) {
            fail(e);
        } catch (IOException | RuntimeException e) {
            fail(new RegistryException(OciError.UNAVAILABLE, "the upstream download of " + digest + " broke off after "
                    + written() + " bytes: " + e.getMessage(), e).withHeader("Retry-After", "1"));
        }
    }

    /**
     * Opens the blob for one client: waits until the upstream has answered, then returns content that follows the
     * download. Throws the fill's error when the upstream did not give the blob.
     */
    BlobContent open() {
        long size = awaitLength();
        if (size <= 0) {
            // No length announced (or nothing to stream): only the verified, stored blob can be served.
            awaitEnd();
            return blobs.open(digest).orElseThrow(() -> failed("vanished after it was stored"));
        }
        return new Follower(size);
    }

    private void copy(InputStream in, BlobWriter out) throws IOException {
        byte[] buffer = new byte[CHUNK];
        int n;
        // Whole chunks: OkHttp's stream returns at most 8 KiB per read, and every step wakes every follower and
        // costs each a read and a write of its own. The price: behind a slow upstream they get 256 KiB at a time.
        while ((n = in.readNBytes(buffer, 0, CHUNK)) > 0) {
            out.write(buffer, 0, n);
            int count = n;
            update(() -> written += count);
        }
        if (length >= 0 && written() != length) {
            throw new IOException("the upstream sent " + written() + " of " + length + " bytes");
        }
    }

    private void commit(BlobWriter opened) throws IOException {
        fileGuard.writeLock().lock();
        try {
            // Readers wait from here until run() publishes the outcome.
            update(() -> fileOpen = false);
            opened.commit();
        } catch (RegistryException e) {
            if (e.error() != OciError.DIGEST_INVALID) {
                throw e;
            }
            LOG.log(Logger.Level.WARNING, "upstream sent corrupt bytes for " + digest + ": " + e.getMessage());
            throw new RegistryException(OciError.UNAVAILABLE, "the upstream sent bytes that do not match " + digest)
                    .withHeader("Retry-After", "1");
        } finally {
            fileGuard.writeLock().unlock();
        }
    }

    private void fail(RegistryException e) {
        fileGuard.writeLock().lock();
        try {
            update(() -> fileOpen = false);
            if (writer != null) {
                writer.close();
            }
        } catch (IOException closing) {
            e.addSuppressed(closing);
        } finally {
            fileGuard.writeLock().unlock();
        }
        // Forgotten by BlobFills before any reader learns of the failure (they wait meanwhile: the file is closed),
        // so a client retrying at once starts a new download instead of joining this failed one.
        committed.completeExceptionally(e);
        update(() -> {
            failure = e;
            state = State.FAILED;
        });
    }

    private void update(Runnable change) {
        lock.lock();
        try {
            change.run();
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private long written() {
        lock.lock();
        try {
            return written;
        } finally {
            lock.unlock();
        }
    }

    private long awaitLength() {
        return await(State.OPENING);
    }

    private void awaitEnd() {
        await(State.STREAMING);
    }

    /** Waits until the fill is past {@code phase} (or an earlier one); throws its error if it failed. */
    private long await(State phase) {
        lock.lock();
        try {
            while (state.compareTo(phase) <= 0) {
                progress.awaitUninterruptibly();
            }
            if (state == State.FAILED) {
                throw failure;
            }
            return length;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a byte past {@code position} may be sent: written, not the last, and the file still open; or the
     * fill is over. Returns the end of what may be sent, or -1 once the blob is committed (read the store from then
     * on); throws the fill's error once it failed. Between the file closing and the fill's end it waits rather than
     * have the caller spin on readBack.
     */
    private long awaitSendable(long position) {
        lock.lock();
        try {
            while (state == State.STREAMING && (!fileOpen || Math.min(written, length - 1) <= position)) {
                progress.awaitUninterruptibly();
            }
            return switch (state) {
                case COMMITTED -> -1;
                // The fill's own error: answered as such (503, Retry-After) while nothing is sent yet, and
                // breaking the connection once the body is under way.
                case FAILED -> throw failure;
                default -> Math.min(written, length - 1);
            };
        } finally {
            lock.unlock();
        }
    }

    /** Reads bytes the download has written; -1 when the file closed in between (committed or failed). */
    private int readBack(long position, ByteBuffer into) throws IOException {
        fileGuard.readLock().lock();
        try {
            lock.lock();
            boolean open;
            try {
                open = fileOpen;
            } finally {
                lock.unlock();
            }
            return open ? writer.readBack(position, into) : -1;
        } finally {
            fileGuard.readLock().unlock();
        }
    }

    private RegistryException failed(String what) {
        return new RegistryException(OciError.BLOB_UNKNOWN, "blob " + digest + " " + what);
    }

    /** One client's view of the download: the blob's bytes as they arrive, then from the store once committed. */
    private final class Follower implements BlobContent {
        private final long size;

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
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            while (position < end) {
                long sendable = awaitSendable(position);
                if (sendable < 0) {
                    copyStored(position, end - position, out);
                    return;
                }
                buffer.clear().limit((int) Math.min(CHUNK, Math.min(sendable, end) - position));
                int n = readBack(position, buffer);
                if (n > 0) {
                    out.write(buffer.array(), 0, n);
                    // HTTP/2 holds a response's first write back until the next, which the upstream may be slow to
                    // bring: sent now, the client has its bytes (and the status) while the download runs.
                    out.flush();
                    position += n;
                }
            }
        }

        private void copyStored(long position, long count, OutputStream out) throws IOException {
            try (BlobContent stored = blobs.open(digest).orElseThrow(() -> failed("vanished after it was stored"))) {
                stored.copyTo(position, count, out);
            }
        }

        @Override
        public void close() {
            // Nothing of its own to release: the download goes on for the others and for the cache.
        }
    }
}
