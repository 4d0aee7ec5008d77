package dev.berth.mirror;

import dev.berth.fleet.Owners;
import dev.berth.oci.Digest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.registry.StoredManifest;
import dev.berth.upstream.UpstreamManifest;
import java.util.Optional;

/**
 * A mirrored repository's manifests by digest, which never change: served from the cache with no upstream call once
 * there, else fetched once however many clients ask, from the owner in the fleet or the upstream, and cached (with
 * the sizes of the blobs they list, which bound those blobs' downloads).
 */
final class MirroredManifests {
    private final MirroredName name;
    private final UpstreamCalls calls;
    private final MirrorEvents events;
    private final Owners owners;
    private final int maxManifestBytes;

    MirroredManifests(MirroredName name, UpstreamCalls calls, MirrorEvents events, Owners owners,
                      int maxManifestBytes) {
        this.name = name;
        this.calls = calls;
        this.events = events;
        this.owners = owners;
        this.maxManifestBytes = maxManifestBytes;
    }

    /** The manifest {@code digest}: cached (a hit), or fetched (a miss). */
    StoredManifest manifest(Digest digest) {
        Optional<StoredManifest> cached = name.cache().manifest(digest);
        if (cached.isPresent()) {
            events.hit(name.upstream().registry(), MirrorEvents.Kind.MANIFEST, cached.get().bytes().length);
            return cached.get();
        }
        events.miss(name.upstream().registry(), MirrorEvents.Kind.MANIFEST);
        return fetch(digest);
    }

    /**
     * Fetches a manifest by digest, once however many clients ask at the same moment, from its owner in the fleet or
     * else the upstream, and caches it.
     */
    StoredManifest fetch(Digest digest) {
        return name.upstream().manifestFetches().run(name.key(digest), () -> name.cache().manifest(digest)
                .orElseGet(() -> owners.manifest(name.cachedName(), digest,
                        () -> name.manifestUnknown(digest.toString()), () -> fromUpstream(digest))));
    }

    private StoredManifest fromUpstream(Digest digest) {
        MirroredUpstream upstream = name.upstream();
        UpstreamManifest got = calls.ask(name.key(digest), () -> upstream.client()
                .getManifest(name.upstreamName(), new Reference.ByDigest(digest), maxManifestBytes))
                .orElseThrow(() -> name.manifestUnknown(digest.toString()));
        events.received(upstream.registry(), got.bytes().length);
        try {
            // Served as stored, not read back: the disk budget may evict it as soon as it is linked.
            StoredManifest stored = name.cache().storeManifest(
                    new StoredManifest(got.digest(), got.mediaType(), got.bytes()));
            ManifestParser.parse(stored.bytes(), stored.mediaType(), stored.digest().algorithm()).requiredBlobs()
                    .forEach(blob -> upstream.sizes().announced(name.key(blob.digest()), blob.size()));
            return stored;
        } catch (RegistryException e) {
            if (e.error() == OciError.INSUFFICIENT_STORAGE) {
                throw e;
            }
            throw new UpstreamUnavailable(OciError.UNAVAILABLE, "upstream " + upstream.registry()
                    + " sent a manifest berth cannot serve: " + e.detail(), UpstreamFailures.DEFAULT_RETRY);
        }
    }
}
