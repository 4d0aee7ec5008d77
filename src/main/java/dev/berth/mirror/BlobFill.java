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
import java.io.OutputStream;
import java.lang.System.Logger;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One download of a blob from an upstream into the blob store, on its own thread. The bytes go to a local scratch
 * file while they are hashed; every client that wants the blob meanwhile follows that file as it grows, so no client
 * waits for the whole blob and none can slow the download down. The last byte is held back from clients until the
 * digest has matched: a corrupt or cut download ends their responses short, never as a complete-looking 200. Then
 * the clients get it, and only then is the file imported into the store (the sync, and on an object store an upload)
 * and linked: the blob is visible to other requests once durable, and no client waits for that.
 */
final class BlobFill implements Runnable {
    private static final Logger LOG = System.getLogger(BlobFill.class.getName());
    private static final int CHUNK = 256 * 1024;

    private enum State { OPENING, STREAMING, STORED, FAILED }

    private final Digest digest;
    private final BlobStore blobs;
    private final FillSource source;
    private final CompletableFuture<Void> stored = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private State state = State.OPENING;
    private long length = -1;
    private long written;
    // Whether the digest matched: from then on clients may have every byte, whatever happens to the import.
    private boolean released;
    private RegistryException failure;
    private BlobSpool spool;

    /** A fill of {@code digest} whose bytes come from {@code source}, which throws a RegistryException on failure. */
    BlobFill(Digest digest, BlobStore blobs, FillSource source) {
        this.digest = digest;
        this.blobs = blobs;
        this.source = source;
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
                    + written() + " bytes: " + e.getMessage(), e).withHeader("Retry-After", "1"));
        }
    }

    /**
     * Downloads into the spool, verifies, releases the last byte, imports. The fill lets go of the spool (deleted
     * unless imported) before anyone learns the outcome; clients reading it hold it open themselves.
     */
    private void fetch() throws IOException {
        try (UpstreamBlob blob = source.open(); BlobSpool opened = blobs.spool(digest)) {
            update(() -> {
                spool = opened;
                length = blob.length();
                state = State.STREAMING;
            });
            copy(blob.content(), opened);
            verify(opened);
            update(() -> released = true);
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
                return new Follower(released ? written : length);
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

    private void copy(InputStream in, BlobSpool out) throws IOException {
        byte[] buffer = new byte[CHUNK];
        int n;
        // Whole chunks: OkHttp's stream returns at most 8 KiB per read, and every step wakes every follower and
        // costs each a read and a write of its own. The price: behind a slow upstream they get 256 KiB at a time.
        // An upstream that sends more than the length expected is cut off one byte past it.
        while ((n = in.readNBytes(buffer, 0, nextRead())) > 0) {
            if (length >= 0 && written() + n > length) {
                throw new IOException("the upstream sent more than the " + length + " bytes expected");
            }
            out.write(buffer, 0, n);
            int count = n;
            update(() -> written += count);
        }
        if (length >= 0 && written() != length) {
            throw new IOException("the upstream sent " + written() + " of " + length + " bytes");
        }
    }

    /** How much to read next: a chunk, or with a length expected, no more than one byte past it. */
    private int nextRead() {
        return length >= 0 ? (int) Math.min(CHUNK, length - written() + 1) : CHUNK;
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

    private void update(Runnable change) {
        lock.lock();
        try {
            change.run();
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** How far the download has come: the bytes received so far, 0 until it streams. */
    long received() {
        return written();
    }

    private long written() {
        lock.lock();
        try {
            return written;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a byte past {@code position} may be sent: written and, unless the digest matched, not the last.
     * Returns the end of what may be sent; throws the fill's error when it failed before the digest matched.
     */
    private long awaitSendable(long position) {
        lock.lock();
        try {
            while (!released && state == State.STREAMING && Math.min(written, length - 1) <= position) {
                progress.awaitUninterruptibly();
            }
            if (released) {
                return written;
            }
            if (state == State.FAILED) {
                // The fill's own error: answered as such (503, Retry-After) while nothing is sent yet, and breaking
                // the connection once the body is under way.
                throw failure;
            }
            return Math.min(written, length - 1);
        } finally {
            lock.unlock();
        }
    }

    /** One client's view of the download: the spool's bytes as they arrive, held open until the client is done. */
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
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            while (position < end) {
                long sendable = awaitSendable(position);
                buffer.clear().limit((int) Math.min(CHUNK, Math.min(sendable, end) - position));
                int n = spool.read(position, buffer);
                if (n < 0) {
                    throw new IOException("the spool of " + digest + " ended at " + position + " bytes");
                }
                out.write(buffer.array(), 0, n);
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
