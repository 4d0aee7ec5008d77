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
import java.util.function.LongSupplier;

/**
 * A mirrored blob as one client reads it, for lazy pulls (eStargz, SOCI, nydus read the table of contents at a blob's
 * end first): a byte range that starts far beyond where the blob's download has come is fetched from the upstream as
 * a range request of its own and sent at once, while the one download goes on; any other read follows the download
 * (or the cache). Those bytes are not verified, so they are only ever sent as a range a client asked for and never
 * stored; the upstream's answer must be exactly the range (RangePuller). When the upstream is not asked (too many
 * range fetches at once, it ignores ranges) or its answer does not fit, the range follows the download after all.
 */
final class LazyRangeContent implements BlobContent {
    private static final Logger LOG = System.getLogger(LazyRangeContent.class.getName());
    /** How far beyond the download's head a range must start to be fetched on its own. */
    static final long AHEAD = 4L * 1024 * 1024;
    /** The longest range fetched on its own: a longer one is nearly a second download, and follows the first. */
    static final long MAX_FETCHED = 16L * 1024 * 1024;

    /** Opens a range of the blob at the upstream: empty when it is not asked or does not serve it. */
    @FunctionalInterface
    interface RangeFetch {
        Optional<UpstreamBlob> open(long offset, long length);
    }

    private final BlobContent content;
    // Where the download has come, and Long.MAX_VALUE once it failed: an upstream that sent a corrupt or cut blob is
    // not asked for unverified ranges of it.
    private final LongSupplier head;
    private final RangeFetch fetch;
    private final MirrorEvents.RangeSource source;
    private final String registry;
    private final MirrorEvents events;

    private LazyRangeContent(BlobContent content, LongSupplier head, RangeFetch fetch, MirrorEvents.RangeSource source,
                             String registry, MirrorEvents events) {
        this.content = content;
        this.head = head;
        this.fetch = fetch;
        this.source = source;
        this.registry = registry;
        this.events = events;
    }

    /** A cached blob: its ranges come from the cache, and are counted. */
    static BlobContent cached(BlobContent content, String registry, MirrorEvents events) {
        return new LazyRangeContent(content, content::size, null, MirrorEvents.RangeSource.CACHE, registry, events);
    }

    /** A blob being downloaded ({@code fill}); ranges far beyond its head come from {@code fetch}. */
    static BlobContent filling(BlobFills.Joined fill, RangeFetch fetch, String registry, MirrorEvents events) {
        LongSupplier head = () -> fill.stored().isCompletedExceptionally() ? Long.MAX_VALUE : fill.head().getAsLong();
        return new LazyRangeContent(fill.content(), head, fetch, MirrorEvents.RangeSource.FILL, registry, events);
    }

    @Override
    public Digest digest() {
        return content.digest();
    }

    @Override
    public long size() {
        return content.size();
    }

    @Override
    public Optional<URI> redirect() {
        return content.redirect();
    }

    @Override
    public void copyTo(long offset, long length, OutputStream out) throws IOException {
        if (offset == 0 && length == size()) {
            content.copyTo(offset, length, out);
            return;
        }
        if (fetch != null && length <= MAX_FETCHED && offset - head.getAsLong() > AHEAD) {
            Optional<UpstreamBlob> fetched = fetchRange(offset, length);
            if (fetched.isPresent()) {
                events.rangeServed(registry, MirrorEvents.RangeSource.UPSTREAM);
                try (UpstreamBlob range = fetched.get()) {
                    range.content().transferTo(out);
                }
                out.flush();
                return;
            }
        }
        events.rangeServed(registry, source);
        content.copyTo(offset, length, out);
    }

    private Optional<UpstreamBlob> fetchRange(long offset, long length) {
        try {
            return fetch.open(offset, length);
        } catch (UpstreamException e) {
            // The download has these bytes too, verified: the client waits for them rather than fails.
            LOG.log(Logger.Level.WARNING, "a range of " + digest() + " follows its download instead: "
                    + e.getMessage());
            if (e.status() == 206) {
                events.rangeRefused(registry);
            }
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        content.close();
    }
}
