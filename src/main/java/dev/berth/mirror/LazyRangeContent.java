package dev.berth.mirror;

import dev.berth.oci.Digest;
import dev.berth.registry.BlobContent;
import dev.berth.upstream.UpstreamBlob;
import dev.berth.upstream.UpstreamException;
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

    /** A range of a blob of {@code size} bytes from the upstream; empty when it is not asked or does not serve it. */
    @FunctionalInterface
    interface RangeFetch {
        Optional<UpstreamBlob> open(long offset, long length, long size);
    }

    private final Digest digest;
    private final Supplier<BlobContent> opener;
    private final long knownSize;
    // Where the download has come, and Long.MAX_VALUE once it failed: an upstream that sent a corrupt or cut blob is
    // not asked for unverified ranges of it.
    private final LongSupplier head;
    private final RangeFetch fetch;
    private final MirrorEvents.RangeSource source;
    private final String registry;
    private final MirrorEvents events;
    private BlobContent content;

    private LazyRangeContent(Digest digest, Supplier<BlobContent> opener, long knownSize, LongSupplier head,
                             RangeFetch fetch, MirrorEvents.RangeSource source, String registry, MirrorEvents events) {
        this.digest = digest;
        this.opener = opener;
        this.knownSize = knownSize;
        this.head = head;
        this.fetch = fetch;
        this.source = source;
        this.registry = registry;
        this.events = events;
    }

    /** A cached blob: its ranges come from the cache, and are counted. */
    static BlobContent cached(BlobContent content, String registry, MirrorEvents events) {
        LazyRangeContent cached = new LazyRangeContent(content.digest(), () -> content, content.size(),
                content::size, null, MirrorEvents.RangeSource.CACHE, registry, events);
        cached.content = content;
        return cached;
    }

    /**
     * A blob being downloaded by {@code fill}, of the size the upstream announced if it did; ranges far beyond the
     * download's head come from {@code fetch}. Without an announced size the download is opened at once, as the size
     * comes from its answer, and so are its errors.
     */
    static BlobContent filling(Digest digest, BlobFill fill, OptionalLong announced, RangeFetch fetch,
                               String registry, MirrorEvents events) {
        LongSupplier head = () -> fill.stored().isCompletedExceptionally() ? Long.MAX_VALUE : fill.received();
        LazyRangeContent filling = new LazyRangeContent(digest, fill::open, announced.orElse(-1), head, fetch,
                MirrorEvents.RangeSource.FILL, registry, events);
        if (announced.isEmpty()) {
            filling.content();
        }
        return filling;
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

    @Override
    public void copyTo(long offset, long length, OutputStream out) throws IOException {
        if (offset == 0 && length == size()) {
            content().copyTo(offset, length, out);
            return;
        }
        if (fetch != null && length <= MAX_FETCHED && offset - head.getAsLong() > AHEAD) {
            Optional<UpstreamBlob> fetched = fetchRange(offset, length);
            if (fetched.isPresent() && sent(fetched.get(), out)) {
                events.rangeServed(registry, MirrorEvents.RangeSource.UPSTREAM);
                return;
            }
        }
        events.rangeServed(registry, source);
        content().copyTo(offset, length, out);
    }

    /**
     * Sends the fetched range; false when it broke before its first byte, so that the download can still send it
     * whole. Once bytes went out, a break ends the client's response short, as the IOException.
     */
    private boolean sent(UpstreamBlob fetched, OutputStream out) throws IOException {
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
            // The download has these bytes too, verified: the client waits for them rather than fails.
            LOG.log(Logger.Level.WARNING, "a range of " + digest + " follows its download instead: "
                    + e.getMessage());
            if (e.status() == 206) {
                events.rangeRefused(registry);
            }
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        if (content != null) {
            content.close();
        }
    }
}
