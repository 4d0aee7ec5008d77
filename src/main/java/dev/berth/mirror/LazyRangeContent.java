package dev.berth.mirror;

import dev.berth.oci.Digest;
import dev.berth.registry.BlobContent;
import dev.berth.upstream.UpstreamBlob;
import dev.berth.upstream.UpstreamException;
import dev.berth.upstream.UpstreamRange;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A mirrored blob as one client reads it, for lazy pulls (eStargz, SOCI, nydus read the table of contents at a blob's
 * end first): a byte range that starts far beyond where the blob's download has come is fetched from the upstream as
 * a range request of its own and sent at once, while the one download goes on; any other read follows the download
 * (or the cache). When the upstream announced the blob's size, the download is opened for this client only once a
 * read needs it, so a range fetch does not wait for the download's answer. Those bytes are not verified, so they are
 * only ever sent as a range a client asked for and never stored; the upstream's answer must be exactly the range
 * (RangePuller). When the upstream is not asked (too many range fetches at once, it ignores ranges) or its answer
 * does not fit, the range follows the download after all.
 */
final class LazyRangeContent implements BlobContent {
    private static final Logger LOG = System.getLogger(LazyRangeContent.class.getName());
    /** How far beyond the download's head a range must start to be fetched on its own. */
    static final long AHEAD = 4L * 1024 * 1024;
    /** The longest range fetched on its own: a longer one is nearly a second download, and follows the first. */
    static final long MAX_FETCHED = 16L * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;

    /** Ranges of the blob from the upstream; empty when one is not asked or not served. */
    interface RangeFetch {
        /** {@code length} bytes from {@code offset} of the blob of {@code size} bytes. */
        Optional<UpstreamBlob> open(long offset, long length, long size);

        /**
         * The range a client's Range header names while the size is unknown: a suffix, or one starting after
         * {@code firstAfter}, of at most {@code maxLength} bytes.
         */
        Optional<UpstreamRange> asked(String range, long firstAfter, long maxLength);
    }

    private final Digest digest;
    private final Supplier<BlobContent> opener;
    // -1 until the upstream announced it, the download's answer tells it, or a range asked early does.
    private long knownSize;
    // Where the download has come, and Long.MAX_VALUE once it failed: an upstream that sent a corrupt or cut blob is
    // not asked for unverified ranges of it.
    private final LongSupplier head;
    // Starts the blob's one download (joins it when it runs already); nothing for a cached blob.
    private final Runnable download;
    private final RangeFetch fetch;
    private final MirrorEvents.RangeSource source;
    private final String registry;
    private final MirrorEvents events;
    private BlobContent content;
    // A range asked of the upstream before the size was known (rangeAsked), until copyTo takes it.
    private UpstreamRange early;
    // An early range's answer did not fit: the upstream is not asked for this client's ranges again.
    private boolean earlyRefused;

    private LazyRangeContent(Digest digest, Supplier<BlobContent> opener, long knownSize, LongSupplier head,
                             Runnable download, RangeFetch fetch, MirrorEvents.RangeSource source, String registry,
                             MirrorEvents events) {
        this.digest = digest;
        this.opener = opener;
        this.knownSize = knownSize;
        this.head = head;
        this.download = download;
        this.fetch = fetch;
        this.source = source;
        this.registry = registry;
        this.events = events;
    }

    /** A cached blob: its ranges come from the cache, and are counted. */
    static BlobContent cached(BlobContent content, String registry, MirrorEvents events) {
        LazyRangeContent cached = new LazyRangeContent(content.digest(), () -> content, content.size(),
                content::size, () -> { }, null, MirrorEvents.RangeSource.CACHE, registry, events);
        cached.content = content;
        return cached;
    }

    /**
     * A cold blob, of the size the upstream announced if it did: its download ({@code join}, empty when the blob was
     * stored meanwhile, then {@code stored} opens it) starts when a read needs it, or right after the first bytes of
     * a range far beyond the download's head that came from {@code fetch}, so that the range's request does not
     * share the upstream and the machine with the download's first bytes; in any case once the client is done.
     * Without an announced size, the size comes from the download's answer when first asked, and so do its errors,
     * unless a range asked before (rangeAsked) told it.
     */
    static BlobContent filling(Digest digest, Supplier<Optional<BlobFill>> join, Supplier<BlobContent> stored,
                               OptionalLong announced, RangeFetch fetch, String registry, MirrorEvents events) {
        Download download = new Download(join, stored);
        return new LazyRangeContent(digest, download::open, announced.orElse(-1), download::head, download::start,
                fetch, MirrorEvents.RangeSource.FILL, registry, events);
    }

    /** The blob's one download, joined at most once for this client. */
    private static final class Download {
        private final Supplier<Optional<BlobFill>> join;
        private final Supplier<BlobContent> stored;
        private Optional<BlobFill> fill;

        Download(Supplier<Optional<BlobFill>> join, Supplier<BlobContent> stored) {
            this.join = join;
            this.stored = stored;
        }

        void start() {
            if (fill == null) {
                fill = join.get();
            }
        }

        BlobContent open() {
            start();
            return fill.isPresent() ? fill.get().open() : stored.get();
        }

        /** Where the download has come (joined to know), and Long.MAX_VALUE once it failed or none is needed. */
        long head() {
            start();
            if (fill.isEmpty()) {
                return Long.MAX_VALUE;
            }
            return fill.get().stored().isCompletedExceptionally() ? Long.MAX_VALUE : fill.get().received();
        }
    }

    @Override
    public Digest digest() {
        return digest;
    }

    @Override
    public long size() {
        return knownSize >= 0 ? knownSize : content().size();
    }

    @Override
    public Optional<URI> redirect() {
        // A download under way has no URL elsewhere; opening it for the question would wait for its answer.
        return content == null ? Optional.empty() : content.redirect();
    }

    /**
     * Without a size yet, asks the upstream for the range at once, beside the download rather than after its answer:
     * the answer tells the size, and its bytes are sent if copyTo asks exactly them, still far beyond the download's
     * head. A range the upstream does not serve leaves the size to the download.
     */
    @Override
    public void rangeAsked(String range) {
        if (knownSize >= 0 || fetch == null || content != null || early != null) {
            return;
        }
        try {
            // Before the download starts: its head is the blob's start.
            early = fetch.asked(range, AHEAD, MAX_FETCHED).orElse(null);
        } catch (UpstreamException e) {
            earlyRefused = true;
            refused(e);
        }
        if (early != null) {
            knownSize = early.size();
        }
    }

    @Override
    public void copyTo(long offset, long length, OutputStream out) throws IOException {
        UpstreamRange asked = early;
        early = null;
        if (asked != null) {
            if (asked.first() == offset && asked.blob().length() == length && offset > AHEAD) {
                if (sent(asked.blob(), out)) {
                    events.rangeServed(registry, MirrorEvents.RangeSource.UPSTREAM);
                    return;
                }
            } else {
                asked.blob().close();
            }
        } else if (fetch != null && !earlyRefused && length <= MAX_FETCHED && farAhead(offset)) {
            Optional<UpstreamBlob> fetched = fetchRange(offset, length);
            if (fetched.isPresent() && sent(fetched.get(), out)) {
                events.rangeServed(registry, MirrorEvents.RangeSource.UPSTREAM);
                return;
            }
        }
        BlobContent whole = content();
        if (whole.size() != size()) {
            // Only an early range's answer can have said another size; nothing is sent yet.
            throw new IOException("the upstream answered a range of " + digest + " as of " + size()
                    + " bytes, its download is of " + whole.size());
        }
        if (offset != 0 || length != size()) {
            events.rangeServed(registry, source);
        }
        whole.copyTo(offset, length, out);
    }

    private boolean farAhead(long offset) {
        return offset - head.getAsLong() > AHEAD;
    }

    /**
     * Sends the fetched range; false when it broke before its first byte, so that the download can still send it
     * whole. Once bytes went out, a break ends the client's response short, as the IOException.
     */
    private boolean sent(UpstreamBlob fetched, OutputStream out) throws IOException {
        try {
            return sentFirst(fetched, out);
        } finally {
            download.run();
        }
    }

    private boolean sentFirst(UpstreamBlob fetched, OutputStream out) throws IOException {
        try (UpstreamBlob range = fetched) {
            byte[] buffer = new byte[CHUNK];
            int n;
            try {
                n = range.content().read(buffer);
            } catch (IOException e) {
                LOG.log(Logger.Level.WARNING, "a range of " + digest + " follows its download instead: the upstream's"
                        + " answer broke before its first byte: " + e.getMessage());
                return false;
            }
            if (n > 0) {
                // The client's first bytes at once, not once the server's buffer fills.
                out.write(buffer, 0, n);
                out.flush();
                download.run();
                n = range.content().read(buffer);
            }
            for (; n > 0; n = range.content().read(buffer)) {
                out.write(buffer, 0, n);
            }
        }
        out.flush();
        return true;
    }

    private BlobContent content() {
        if (content == null) {
            content = opener.get();
        }
        return content;
    }

    private Optional<UpstreamBlob> fetchRange(long offset, long length) {
        try {
            return fetch.open(offset, length, size());
        } catch (UpstreamException e) {
            refused(e);
            return Optional.empty();
        }
    }

    private void refused(UpstreamException e) {
        // The download has these bytes too, verified: the client waits for them rather than fails.
        LOG.log(Logger.Level.WARNING, "a range of " + digest + " follows its download instead: " + e.getMessage());
        if (e.status() == 206) {
            events.rangeRefused(registry);
        }
    }

    @Override
    public void close() throws IOException {
        if (early != null) {
            early.blob().close();
        }
        // The one download runs whatever this client read: the blob is to be cached.
        download.run();
        if (content != null) {
            content.close();
        }
    }
}
