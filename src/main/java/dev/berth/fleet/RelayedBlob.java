package dev.berth.fleet;

import dev.berth.oci.Digest;
import dev.berth.oci.RegistryException;
import dev.berth.registry.BlobSpool;
import dev.berth.upstream.UpstreamBlob;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The source of a fill in a fleet: the blob's owner streams it through its peer endpoint as its own download arrives,
 * or this instance, when it is the owner or no owner answers, fetches it from the upstream. A relayed stream that
 * breaks goes on from the upstream where it broke. The fill verifies the digest of whatever came, as for any
 * download; a blob that came whole from its owner is stored by the owner in the store they share, so it is not
 * imported again here: the fill waits until the owner has linked it, and imports it itself only if that does not
 * happen in time (the owner died after sending the last byte).
 */
public final class RelayedBlob {
    private static final Logger LOG = System.getLogger(RelayedBlob.class.getName());
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration OWNER_STORES_WITHIN = Duration.ofSeconds(10);
    /** The slowest import the wait allows for beyond that, in bytes per second. */
    private static final long SLOWEST_IMPORT = 20L * 1024 * 1024;

    private final Digest digest;
    private final String path;
    private final AskingOwners owners;
    private final Supplier<UpstreamBlob> upstream;
    private final BooleanSupplier linkedByOwner;
    private final Supplier<RegistryException> unknown;
    private volatile boolean wholeFromOwner;
    private volatile long length;

    /**
     * A fill of {@code digest} relayed from its owner's {@code path}, else from {@code upstream}; {@code linkedByOwner}
     * says whether the blob is stored and linked, and {@code unknown} is the error when the owner says the upstream
     * lacks it.
     */
    RelayedBlob(Digest digest, String path, AskingOwners owners, Supplier<UpstreamBlob> upstream,
                BooleanSupplier linkedByOwner, Supplier<RegistryException> unknown) {
        this.digest = digest;
        this.path = path;
        this.owners = owners;
        this.upstream = upstream;
        this.linkedByOwner = linkedByOwner;
        this.unknown = unknown;
    }

    /** Opens the bytes, from the owner or the upstream; throws a RegistryException when they cannot be had. */
    public UpstreamBlob open() {
        return owners.fetch(digest.toString(), path, PeerEvents.Kind.BLOB, this::relay, upstream);
    }

    private UpstreamBlob relay(PeerClient.Answer answer) throws IOException {
        length = PeerProtocol.blobLength(answer, unknown);
        wholeFromOwner = true;
        return new UpstreamBlob(new RelayStream(answer.body(), length), length);
    }

    /** Stores the verified spool: imported into the store, unless the owner stored the same bytes there. */
    public void store(BlobSpool spool) {
        if (!wholeFromOwner || !ownerLinked()) {
            spool.commit();
        }
    }

    private boolean ownerLinked() {
        long waitNanos = OWNER_STORES_WITHIN.toNanos() + Duration.ofSeconds(length / SLOWEST_IMPORT).toNanos();
        long deadline = System.nanoTime() + waitNanos;
        try {
            while (!linkedByOwner.getAsBoolean()) {
                if (System.nanoTime() - deadline > 0) {
                    LOG.log(Logger.Level.INFO, "the owner of " + digest + " did not store it in time; storing it here");
                    return false;
                }
                Thread.sleep(POLL);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The owner's stream; when it breaks or ends early, the rest from the upstream's. */
    private final class RelayStream extends InputStream {
        private final long expected;
        private InputStream in;
        private long position;
        private boolean fromUpstream;

        RelayStream(InputStream in, long expected) {
            this.in = in;
            this.expected = expected;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int count) throws IOException {
            while (true) {
                try {
                    int n = in.read(buffer, offset, count);
                    if (n >= 0 || fromUpstream || position >= expected) {
                        position += Math.max(n, 0);
                        return n;
                    }
                    throw new EOFException("the owner's stream ended at " + position + " of " + expected + " bytes");
                } catch (IOException e) {
                    if (fromUpstream) {
                        throw e;
                    }
                    fallBack(e);
                }
            }
        }

        private void fallBack(IOException broken) throws IOException {
            LOG.log(Logger.Level.WARNING, "the owner's stream of " + digest + " broke after " + position + " bytes ("
                    + broken.getMessage() + "); going on from the upstream");
            wholeFromOwner = false;
            fromUpstream = true;
            owners.events().peerFallback(PeerEvents.Kind.BLOB);
            try {
                in.close();
            } catch (IOException e) {
                // Broken already.
            }
            in = upstream.get().content();
            // The upstream sends the whole blob; what the owner sent already is read past.
            in.skipNBytes(position);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
