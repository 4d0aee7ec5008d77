package dev.berth.mirror;

import dev.berth.fleet.PeerContent;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobContent;
import dev.berth.registry.Repository;
import dev.berth.registry.RepositoryCache;
import dev.berth.registry.StoredManifest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A mirrored repository: answers from the cache, fills a miss from the upstream once, and has only the read side.
 * Each resource has its own class, as in distribution's proxy: {@link MirroredBlobs}, {@link MirroredManifests} (by
 * digest, never changing), {@link MirroredTags} (trusted for the tag TTL, then revalidated, served stale when the
 * upstream fails) and {@link MirroredReferrers} (the same, per subject). This one records the use of what it serves.
 */
final class PullThroughRepository implements Repository {
    private final MirroredName name;
    private final MirroredBlobs blobs;
    private final MirroredManifests manifests;
    private final MirroredTags tags;
    private final MirroredReferrers referrers;
    private final Consumer<Digest> used;

    PullThroughRepository(RepoName upstreamName, RepositoryCache cache, MirroredUpstream upstream,
                          PullThroughShared shared) {
        this.name = new MirroredName(upstreamName, cache, upstream);
        UpstreamCalls calls = new UpstreamCalls(name, shared.events());
        this.blobs = new MirroredBlobs(name, calls, shared.fills(), shared.ranges(), shared.events(), shared.owners());
        this.manifests = new MirroredManifests(name, calls, shared.events(), shared.owners(),
                shared.maxManifestBytes());
        this.tags = new MirroredTags(name, calls, manifests, shared.events(), shared.owners());
        // The copy read back is the upstream's document re-written, or a fallback index and three more entries.
        this.referrers = new MirroredReferrers(name, calls, new FallbackReferrers(tags),
                (int) Math.min(Integer.MAX_VALUE - 8, (long) upstream.maxDocumentBytes() + shared.maxManifestBytes()));
        this.used = shared.used();
    }

    /** Its names, cache and upstream. */
    MirroredName mirroredName() {
        return name;
    }

    @Override
    public RepoName name() {
        return name.cachedName();
    }

    @Override
    public boolean isMirror() {
        return true;
    }

    @Override
    public Optional<Long> blobSize(Digest digest) {
        return blobs.size(digest);
    }

    @Override
    public BlobContent openBlob(Digest digest) {
        BlobContent content = blobs.open(digest);
        // Recorded once the blob is there to serve, so requests for unknown digests do not fill the index.
        used.accept(digest);
        return content;
    }

    @Override
    public StoredManifest manifest(Reference reference) {
        StoredManifest manifest = switch (reference) {
            case Reference.ByDigest d -> manifests.manifest(d.value());
            case Reference.Tag t -> tags.manifest(t.name());
        };
        // GET and HEAD alike, by tag or digest (both methods are served from here): a client holding the image checks
        // its tag with a HEAD and fetches nothing more, so that HEAD is the only sign the manifest is still in use.
        used.accept(manifest.digest());
        return manifest;
    }

    /** The owner's side of a peer's request: the manifest as a client gets it, and how long its tag stays fresh. */
    PeerContent.OwnedManifest owned(Reference reference) {
        StoredManifest manifest = manifest(reference);
        return new PeerContent.OwnedManifest(manifest,
                reference instanceof Reference.Tag t ? tags.freshFor(t.name()) : Duration.ZERO);
    }

    @Override
    public List<String> tags() {
        return tags.list();
    }

    @Override
    public List<Descriptor> referrers(Digest subject, Optional<String> artifactType) {
        return referrers.list(subject).stream()
                .filter(d -> artifactType.isEmpty() || artifactType.get().equals(d.artifactType())).toList();
    }

}
