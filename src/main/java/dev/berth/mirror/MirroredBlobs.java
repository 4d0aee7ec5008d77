package dev.berth.mirror;

import dev.berth.fleet.Owners;
import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobContent;
import dev.berth.registry.CountedInputStream;
import dev.berth.upstream.UpstreamBlob;
import dev.berth.upstream.UpstreamException;
import dev.berth.upstream.UpstreamRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A mirrored repository's blobs: served from the cache, a miss filled once however many clients ask (through
 * {@link BlobFills}, from the blob's owner in the fleet or the upstream), and a blob another repository brought in
 * linked here only once the upstream confirms this repository has it.
 */
final class MirroredBlobs implements BlobFills.Requester {
    private static final Logger LOG = System.getLogger(MirroredBlobs.class.getName());

    private final MirroredName name;
    private final UpstreamCalls calls;
    private final BlobFills fills;
    private final SharedRanges ranges;
    private final MirrorEvents events;
    private final Owners owners;

    MirroredBlobs(MirroredName name, UpstreamCalls calls, BlobFills fills, SharedRanges ranges, MirrorEvents events,
                  Owners owners) {
        this.name = name;
        this.calls = calls;
        this.fills = fills;
        this.ranges = ranges;
        this.events = events;
        this.owners = owners;
    }

    /** The blob's size: cached, else the upstream's HEAD, else (when that does not say) by fetching the blob. */
    Optional<Long> size(Digest digest) {
        Optional<Long> cached = name.cache().repository().blobSize(digest);
        if (cached.isPresent()) {
            return cached;
        }
        Optional<Long> size = upstreamSize(digest);
        if (size.isPresent() && size.get() < 0) {
            // The upstream would not say how large: fetch it, which tells.
            try (BlobContent blob = open(digest)) {
                return Optional.of(blob.size());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return size;
    }

    /**
     * Opens the blob: cached, or joining (or starting) its download, with a range far beyond the download's head
     * fetched on its own ({@link LazyRangeContent}).
     */
    BlobContent open(Digest digest) {
        String registry = name.upstream().registry();
        // A download under way serves its clients until it is stored and linked: joined first, they cost the store
        // nothing (on S3 each look is a HEAD, and a fleet's rollout sends a blob's clients all at once).
        Optional<BlobFill> running = fills.joinRunning(digest, this);
        if (running.isPresent()) {
            if (running.get().stored().isDone()) {
                events.hit(registry, MirrorEvents.Kind.BLOB, running.get().received());
            } else {
                events.miss(registry, MirrorEvents.Kind.BLOB);
            }
            return filling(digest, () -> running);
        }
        Optional<BlobContent> cached = name.cache().findBlob(digest);
        if (cached.isPresent()) {
            events.hit(registry, MirrorEvents.Kind.BLOB, cached.get().size());
            return LazyRangeContent.cached(cached.get(), registry, events);
        }
        events.miss(registry, MirrorEvents.Kind.BLOB);
        return filling(digest, () -> fills.join(digest, this));
    }

    private BlobContent filling(Digest digest, Supplier<Optional<BlobFill>> join) {
        return LazyRangeContent.filling(digest, join, () -> storedElsewhere(digest),
                name.upstream().sizes().of(name.key(digest)), ranges(digest), name.upstream().registry(), events);
    }

    /**
     * A blob stored through another repository, or by another instance of a fleet that has not linked it yet: the
     * clients asking at once share one upstream HEAD and one link, rather than each make both in turn.
     */
    private BlobContent storedElsewhere(Digest digest) {
        name.upstream().adoptions().run(name.key(digest), () -> {
            confirmHas(digest);
            link(digest);
            return true;
        });
        return name.cache().repository().openBlob(digest);
    }

    /**
     * Ranges of the blob straight from the upstream, in a fleet too: ranges are not relayed through the owner. Each is
     * asked once for all the clients asking it at once or soon after ({@link SharedRanges}).
     */
    private LazyRangeContent.RangeFetch ranges(Digest digest) {
        MirroredUpstream upstream = name.upstream();
        return new LazyRangeContent.RangeFetch() {
            @Override
            public Optional<UpstreamBlob> open(long offset, long length, long size) {
                String range = "bytes=" + offset + "-" + (offset + length - 1) + "/" + size;
                return ranges.fetch(digest, name.key(digest) + " " + range, () -> upstream.client()
                        .openBlobRange(name.upstreamName(), digest, offset, length, size)
                        .map(blob -> new UpstreamRange(counted(blob), offset, size))).map(UpstreamRange::blob);
            }

            @Override
            public Optional<UpstreamRange> asked(String range, long firstAfter, long maxLength) {
                String asked = range.trim() + " after " + firstAfter + " of at most " + maxLength;
                return ranges.fetch(digest, name.key(digest) + " " + asked, () -> upstream.client()
                        .openBlobRange(name.upstreamName(), digest, range, firstAfter, maxLength)
                        .map(answer -> new UpstreamRange(counted(answer.blob()), answer.first(), answer.size())));
            }

            private UpstreamBlob counted(UpstreamBlob blob) {
                return new UpstreamBlob(CountedInputStream.reportingTotal(blob.content(),
                        bytes -> events.received(upstream.registry(), bytes)), blob.length());
            }
        };
    }

    @Override
    public RepoName name() {
        return name.cachedName();
    }

    /** From the blob's owner in the fleet, or else the upstream. */
    @Override
    public FillSource source(Digest digest) {
        return FillSource.of(owners.blob(name.cachedName(), digest, () -> download(digest),
                () -> name.cache().hasBlob(digest), () -> name.blobUnknown(digest)));
    }

    /**
     * Asks the upstream (HEAD) whether this repository has a blob that another repository brought in, so a digest
     * never leaks into a repository that does not have it.
     */
    @Override
    public void confirmHas(Digest digest) {
        // Not size(): when the upstream leaves out the size, that fetches the blob, which comes back here.
        if (upstreamSize(digest).isEmpty()) {
            throw name.blobUnknown(digest);
        }
    }

    @Override
    public void link(Digest digest) {
        try {
            name.cache().linkBlob(digest);
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "cannot link " + digest + " into " + name.cachedName(), e);
        }
    }

    /** The blob's size by an upstream HEAD: -1 when the upstream does not say, empty when it lacks the blob. */
    private Optional<Long> upstreamSize(Digest digest) {
        MirroredUpstream upstream = name.upstream();
        Optional<Long> size = calls.ask(name.key(digest),
                () -> upstream.client().headBlob(name.upstreamName(), digest));
        size.ifPresent(announced -> upstream.sizes().announced(name.key(digest), announced));
        return size;
    }

    /**
     * The upstream's stream of a blob, and the length the fill stops at: the size the upstream announced before (a
     * HEAD, a manifest's descriptor), else the response's, else its HEAD's; an upstream that sends on past it is
     * cut off one byte later, and one whose response says otherwise fails when its bytes do.
     */
    private UpstreamBlob download(Digest digest) {
        MirroredUpstream upstream = name.upstream();
        UpstreamBlob blob = calls.ask(name.key(digest), () -> upstream.client().openBlob(name.upstreamName(), digest))
                .orElseThrow(() -> name.blobUnknown(digest));
        long expected = upstream.sizes().of(name.key(digest)).orElse(blob.length());
        if (expected < 0) {
            try {
                expected = upstream.client().headBlob(name.upstreamName(), digest).orElse(-1L);
            } catch (UpstreamException e) {
                LOG.log(Logger.Level.DEBUG, "no size for " + digest + " from the upstream's HEAD: " + e.getMessage());
            }
        }
        return new UpstreamBlob(CountedInputStream.reportingTotal(blob.content(),
                bytes -> events.received(upstream.registry(), bytes)), expected);
    }
}
