package dev.berth.registry;

import dev.berth.oci.Digest;
import java.time.Instant;
import java.util.Optional;

/**
 * The write side of a mirrored repository: content fetched from an upstream and verified there, stored without the
 * checks a push gets (a cached index arrives before the manifests and blobs it lists, which are fetched on demand).
 */
public interface RepositoryCache {
    /** The read side, as clients see it. */
    Repository repository();

    /** The digest a cached tag points at, and when its upstream last confirmed it. */
    Optional<CachedTag> tag(String tag);

    /** A cached manifest revision. */
    Optional<StoredManifest> manifest(Digest digest);

    /**
     * Stores a manifest whose digest the caller has verified, and returns it as it is served (its media type as the
     * bytes declare it); MANIFEST_INVALID if its bytes do not parse.
     */
    StoredManifest storeManifest(StoredManifest manifest);

    /** Points a tag at a cached manifest, as its upstream confirmed at {@code confirmed}. */
    void tag(String tag, Digest digest, Instant confirmed);

    /** The copy of the upstream's referrers listing of {@code subject}, if stored and within {@code maxBytes}. */
    Optional<CachedReferrers> upstreamReferrers(Digest subject, int maxBytes);

    /** Replaces the copy of the upstream's referrers listing of {@code subject}. */
    void upstreamReferrers(Digest subject, CachedReferrers referrers);

    /** Whether the blob is linked into this repository and stored. */
    boolean hasBlob(Digest digest);

    /**
     * Opens the blob when it is linked into this repository and stored; one look at the link and one at the blob,
     * where {@link #hasBlob} and then {@code repository().openBlob} would look at each twice.
     */
    Optional<BlobContent> findBlob(Digest digest);

    /** Links a stored blob into this repository. */
    void linkBlob(Digest digest);
}
