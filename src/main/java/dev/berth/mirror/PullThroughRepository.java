package dev.berth.mirror;

import dev.berth.fleet.Owners;
import dev.berth.fleet.PeerContent;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobContent;
import dev.berth.registry.CachedTag;
import dev.berth.registry.PushedManifest;
import dev.berth.registry.Repository;
import dev.berth.registry.RepositoryCache;
import dev.berth.registry.StoredManifest;
import dev.berth.registry.UploadSessions;
import dev.berth.upstream.ManifestHead;
import dev.berth.upstream.UpstreamBlob;
import dev.berth.upstream.UpstreamClient.Patience;
import dev.berth.upstream.UpstreamException;
import dev.berth.upstream.UpstreamManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A mirrored repository: answers from the cache, fills a miss from the upstream once, and is read-only to clients.
 * Manifests by digest and blobs never change, so once cached they are served with no upstream call; tags are trusted
 * for the upstream's tag TTL, then revalidated with a HEAD, and served stale when the upstream fails.
 */
final class PullThroughRepository implements Repository {
    private static final Logger LOG = System.getLogger(PullThroughRepository.class.getName());

    private final RepoName cachedName;
    private final RepoName upstreamName;
    private final RepositoryCache cache;
    private final MirroredUpstream upstream;
    private final BlobFills fills;
    private final Consumer<Digest> used;
    private final int maxManifestBytes;
    private final RefusedWrites refusedWrites;
    private final MirrorEvents events;
    private final Owners owners;

    PullThroughRepository(RepoName upstreamName, RepositoryCache cache, MirroredUpstream upstream,
                          PullThroughShared shared) {
        this.cachedName = cache.repository().name();
        this.upstreamName = upstreamName;
        this.cache = cache;
        this.upstream = upstream;
        this.fills = shared.fills();
        this.used = shared.used();
        this.maxManifestBytes = shared.maxManifestBytes();
        this.refusedWrites = shared.refusedWrites();
        this.events = shared.events();
        this.owners = shared.owners();
    }

    @Override
    public RepoName name() {
        return cachedName;
    }

    @Override
    public boolean isMirror() {
        return true;
    }

    @Override
    public Optional<Long> blobSize(Digest digest) {
        Optional<Long> cached = cache.repository().blobSize(digest);
        if (cached.isPresent()) {
            return cached;
        }
        Optional<Long> size = upstreamSize(digest);
        if (size.isPresent() && size.get() < 0) {
            // The upstream would not say how large: fetch it, which tells.
            try (BlobContent blob = openBlob(digest)) {
                return Optional.of(blob.size());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return size;
    }

    @Override
    public BlobContent openBlob(Digest digest) {
        BlobContent content = cachedOrFetched(digest);
        // Recorded once the blob is there to serve, so requests for unknown digests do not fill the index.
        used.accept(digest);
        return content;
    }

    private BlobContent cachedOrFetched(Digest digest) {
        if (cache.hasBlob(digest)) {
            BlobContent content = cache.repository().openBlob(digest);
            events.hit(upstream.registry(), MirrorEvents.Kind.BLOB, content.size());
            return content;
        }
        events.miss(upstream.registry(), MirrorEvents.Kind.BLOB);
        FillSource source = FillSource.of(owners.blob(cachedName, digest, () -> download(digest),
                () -> cache.hasBlob(digest), () -> blobUnknown(digest)));
        Optional<BlobContent> fetching = fills.join(digest, cachedName, source, () -> confirmUpstreamHas(digest),
                () -> link(digest));
        if (fetching.isPresent()) {
            return fetching.get();
        }
        // Stored already through another repository.
        confirmUpstreamHas(digest);
        link(digest);
        return cache.repository().openBlob(digest);
    }

    /**
     * Asks the upstream (HEAD) whether this repository has a blob that another repository brought in, so a digest
     * never leaks into a repository that does not have it.
     */
    private void confirmUpstreamHas(Digest digest) {
        // Not blobSize(): when the upstream leaves out the size, that fetches the blob, which comes back here.
        if (upstreamSize(digest).isEmpty()) {
            throw blobUnknown(digest);
        }
    }

    /** The blob's size by an upstream HEAD: -1 when the upstream does not say, empty when it lacks the blob. */
    private Optional<Long> upstreamSize(Digest digest) {
        Optional<Long> size = askUpstream(key(digest), () -> upstream.client().headBlob(upstreamName, digest));
        size.ifPresent(announced -> upstream.sizes().announced(key(digest), announced));
        return size;
    }

    /**
     * The upstream's stream of a blob, and the length the fill stops at: the size the upstream announced before (a
     * HEAD, a manifest's descriptor), else the response's, else its HEAD's; an upstream that sends on past it is
     * cut off one byte later, and one whose response says otherwise fails when its bytes do.
     */
    private UpstreamBlob download(Digest digest) {
        UpstreamBlob blob = askUpstream(key(digest), () -> upstream.client().openBlob(upstreamName, digest))
                .orElseThrow(() -> blobUnknown(digest));
        long expected = upstream.sizes().of(key(digest)).orElse(blob.length());
        if (expected < 0) {
            try {
                expected = upstream.client().headBlob(upstreamName, digest).orElse(-1L);
            } catch (UpstreamException e) {
                LOG.log(Logger.Level.DEBUG, "no size for " + digest + " from the upstream's HEAD: " + e.getMessage());
            }
        }
        return new UpstreamBlob(new CountingInputStream(blob.content(),
                bytes -> events.received(upstream.registry(), bytes)), expected);
    }

    private void link(Digest digest) {
        try {
            cache.linkBlob(digest);
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "cannot link " + digest + " into " + cachedName, e);
        }
    }

    @Override
    public StoredManifest manifest(Reference reference) {
        StoredManifest manifest = cachedOrFetchedManifest(reference);
        // GET and HEAD alike, by tag or digest (both methods are served from here): a client holding the image checks
        // its tag with a HEAD and fetches nothing more, so that HEAD is the only sign the manifest is still in use.
        used.accept(manifest.digest());
        return manifest;
    }

    private StoredManifest cachedOrFetchedManifest(Reference reference) {
        Optional<StoredManifest> cached = switch (reference) {
            case Reference.ByDigest d -> cache.manifest(d.value());
            case Reference.Tag t -> freshlyCached(t.name(), tagKey(t.name()));
        };
        if (cached.isPresent()) {
            events.hit(upstream.registry(), MirrorEvents.Kind.MANIFEST, cached.get().bytes().length);
            return cached.get();
        }
        events.miss(upstream.registry(), MirrorEvents.Kind.MANIFEST);
        return switch (reference) {
            case Reference.ByDigest d -> fetch(d.value());
            case Reference.Tag t -> byTag(t.name());
        };
    }

    private StoredManifest byTag(String tag) {
        String tagKey = tagKey(tag);
        return upstream.manifestFetches().run(tagKey,
                // Checked again inside: a revalidation that just finished makes this one unnecessary.
                // From the tag's owner, fresh here for as long as it says: the fleet asks the upstream once per TTL.
                () -> freshlyCached(tag, tagKey).orElseGet(() -> owners.tag(cachedName, tag,
                        freshFor -> upstream.freshness().freshFor(tagKey, freshFor), () -> manifestUnknown(tag),
                        () -> revalidate(tag, tagKey))));
    }

    /** The owner's side of a peer's request: the manifest as a client gets it, and how long its tag stays fresh. */
    PeerContent.OwnedManifest owned(Reference reference) {
        StoredManifest manifest = manifest(reference);
        Duration freshFor = reference instanceof Reference.Tag t ? upstream.freshness().remaining(tagKey(t.name()))
                : Duration.ZERO;
        return new PeerContent.OwnedManifest(manifest, freshFor);
    }

    private String tagKey(String tag) {
        return cachedName + ":" + tag;
    }

    /**
     * The cached manifest of a tag that may be served without asking the upstream: fresh in memory, or confirmed
     * within a TTL as the store says (by this instance before a restart, or by another on the same store).
     */
    private Optional<StoredManifest> freshlyCached(String tag, String tagKey) {
        if (upstream.freshness().isFresh(tagKey)) {
            return cached(tag);
        }
        Optional<CachedTag> stored = cache.tag(tag);
        if (stored.isEmpty() || !upstream.freshness().confirmedAt(tagKey, stored.get().confirmed())) {
            return Optional.empty();
        }
        return cache.manifest(stored.get().digest());
    }

    private Optional<StoredManifest> cached(String tag) {
        return cache.tag(tag).map(CachedTag::digest).flatMap(cache::manifest);
    }

    /**
     * Asks the upstream what the tag points at now (a HEAD), fetching the manifest only when it is new here. With a
     * cached copy, the upstream is asked only while it answers (or as the probe of its recovery), and not waited for
     * beyond its revalidate-timeout: the copy stands in.
     */
    private StoredManifest revalidate(String tag, String tagKey) {
        Optional<StoredManifest> copy = cached(tag);
        if (copy.isPresent() && !upstream.failures().worthAsking()) {
            upstream.freshness().retryAfter(tagKey, upstream.failures().backoffLeft());
            return copy.get();
        }
        try {
            ManifestHead head = askUpstream(tagKey, () -> upstream.client().headManifest(upstreamName,
                    new Reference.Tag(tag), copy.isPresent() ? Patience.BRIEF : Patience.FULL))
                    .orElseThrow(() -> manifestUnknown(tag));
            Instant confirmed = upstream.freshness().now();
            StoredManifest manifest = copy.filter(m -> m.digest().equals(head.digest()))
                    .or(() -> cache.manifest(head.digest())).orElseGet(() -> fetch(head.digest()));
            try {
                cache.tag(tag, head.digest(), confirmed);
            } catch (RegistryException e) {
                if (e.error() != OciError.INSUFFICIENT_STORAGE) {
                    throw e;
                }
                // The manifest is stored: serve it, and try to record the tag again on the next request.
                LOG.log(Logger.Level.WARNING, "cannot record " + tagKey + ": " + e.detail());
                return manifest;
            }
            upstream.freshness().confirmed(tagKey, confirmed);
            return manifest;
        } catch (UpstreamUnavailable e) {
            // stale-if-error: the cached tag stands in; the outage is logged once by UpstreamFailures.
            StoredManifest stale = copy.orElseThrow(() -> e);
            // And is served unasked until the upstream is worth asking again: a fleet pulling through an outage
            // gets it at once, instead of each client waiting on an upstream that times out.
            upstream.freshness().retryAfter(tagKey, e.retryAfter());
            return stale;
        }
    }

    /**
     * Fetches a manifest by digest, once however many clients ask at the same moment, from its owner in the fleet or
     * else the upstream, and caches it.
     */
    private StoredManifest fetch(Digest digest) {
        String key = key(digest);
        return upstream.manifestFetches().run(key, () -> cache.manifest(digest).orElseGet(() -> owners.manifest(
                cachedName, digest, () -> manifestUnknown(digest.toString()), () -> fetchFromUpstream(digest))));
    }

    private StoredManifest fetchFromUpstream(Digest digest) {
        String key = key(digest);
        UpstreamManifest got = askUpstream(key, () -> upstream.client()
                .getManifest(upstreamName, new Reference.ByDigest(digest), maxManifestBytes))
                .orElseThrow(() -> manifestUnknown(digest.toString()));
        events.received(upstream.registry(), got.bytes().length);
        try {
            // Served as stored, not read back: the disk budget may evict it as soon as it is linked.
            StoredManifest stored = cache.storeManifest(new StoredManifest(got.digest(), got.mediaType(), got.bytes()));
            ManifestParser.parse(stored.bytes(), stored.mediaType(), stored.digest().algorithm()).requiredBlobs()
                    .forEach(blob -> upstream.sizes().announced(key(blob.digest()), blob.size()));
            return stored;
        } catch (RegistryException e) {
            if (e.error() == OciError.INSUFFICIENT_STORAGE) {
                throw e;
            }
            throw new UpstreamUnavailable(OciError.UNAVAILABLE, "upstream " + upstream.registry()
                    + " sent a manifest berth cannot serve: " + e.detail(), UpstreamFailures.DEFAULT_RETRY);
        }
    }

    /**
     * One upstream call: empty when the upstream does not have {@code key} (remembered briefly, so a fleet asks
     * once), the value when it answers, and {@link UpstreamUnavailable} when it fails.
     */
    private <T> Optional<T> askUpstream(String key, Supplier<Optional<T>> call) {
        if (upstream.absent().isAbsent(key)) {
            return Optional.empty();
        }
        try {
            Optional<T> answer = call.get();
            upstream.failures().succeeded();
            if (answer.isEmpty()) {
                upstream.absent().remember(key);
            }
            return answer;
        } catch (UpstreamException e) {
            if (e.oversized()) {
                // Reachable, but this answer cannot be used: no outage, and nothing cached stands in for it.
                // As the message too, which is what Docker prints of an error.
                LOG.log(Logger.Level.WARNING, e.getMessage());
                throw new RegistryException(OciError.BAD_GATEWAY, e.getMessage()).withMessage(e.getMessage());
            }
            if (RefusedAccess.isRefusal(e)) {
                upstream.refusals().refused(upstreamName, e, events);
            }
            if (UpstreamFailures.meansAbsent(e)) {
                upstream.absent().remember(key);
                return Optional.empty();
            }
            throw upstream.failures().failed(e);
        }
    }

    /**
     * The upstream's tags; with tags cached, those while the upstream fails, and when it does not answer within its
     * revalidate-timeout.
     */
    @Override
    public List<String> tags() {
        Optional<List<String>> cached = cachedTags();
        boolean copy = cached.filter(tags -> !tags.isEmpty()).isPresent();
        if (copy && !upstream.failures().worthAsking()) {
            return cached.get();
        }
        try {
            Optional<List<String>> listed = askUpstream(cachedName + "/tags",
                    () -> upstream.client().tags(upstreamName, copy ? Patience.BRIEF : Patience.FULL));
            if (listed.isPresent()) {
                return listed.get().stream().sorted().toList();
            }
        } catch (UpstreamUnavailable e) {
            return cached.orElseThrow(() -> e);
        }
        return cached.orElseThrow(() -> new RegistryException(OciError.NAME_UNKNOWN,
                "repository " + upstreamName + " is not known to " + upstream.registry()));
    }

    private Optional<List<String>> cachedTags() {
        try {
            return Optional.of(cache.repository().tags());
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    @Override
    public List<Descriptor> referrers(Digest subject, Optional<String> artifactType) {
        return cache.repository().referrers(subject, artifactType);
    }

    @Override
    public void deleteBlob(Digest digest) {
        throw readOnly();
    }

    @Override
    public void putBlob(InputStream body, Digest digest) {
        throw readOnly();
    }

    @Override
    public boolean mountBlob(Digest digest, Repository source) {
        throw readOnly();
    }

    @Override
    public UploadSessions uploads() {
        throw readOnly();
    }

    @Override
    public PushedManifest putManifest(Reference reference, byte[] bytes, String contentType) {
        throw readOnly();
    }

    @Override
    public void deleteManifest(Reference reference) {
        throw readOnly();
    }

    private String key(Digest digest) {
        return cachedName + "@" + digest;
    }

    private RegistryException readOnly() {
        return refusedWrites.refuse(cachedName.toString(), upstream.registry());
    }

    private RegistryException manifestUnknown(String reference) {
        return new RegistryException(OciError.MANIFEST_UNKNOWN,
                "manifest " + reference + " is not in " + upstreamName + " on " + upstream.registry());
    }

    private RegistryException blobUnknown(Digest digest) {
        return new RegistryException(OciError.BLOB_UNKNOWN,
                "blob " + digest + " is not in " + upstreamName + " on " + upstream.registry());
    }
}
