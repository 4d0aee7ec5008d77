package dev.berth.mirror;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.RepositoryCache;

/**
 * One mirrored repository's names and places: the name it is cached under, its name on the upstream, its cache, and
 * the upstream; with the keys its single-flights and negative answers go by, and its "unknown" errors.
 */
record MirroredName(RepoName upstreamName, RepositoryCache cache, MirroredUpstream upstream) {
    /** The name it is cached and served under, as {@code docker.io/library/busybox}. */
    RepoName cachedName() {
        return cache.repository().name();
    }

    String key(Digest digest) {
        return cachedName() + "@" + digest;
    }

    /** The key of {@code subject}'s referrers listing: not a tag's, nor a manifest's. */
    String referrersKey(Digest subject) {
        return cachedName() + "@" + subject + "/referrers";
    }

    String tagKey(String tag) {
        return cachedName() + ":" + tag;
    }

    RegistryException manifestUnknown(String reference) {
        return new RegistryException(OciError.MANIFEST_UNKNOWN,
                "manifest " + reference + " is not in " + upstreamName + " on " + upstream.registry());
    }

    RegistryException blobUnknown(Digest digest) {
        return new RegistryException(OciError.BLOB_UNKNOWN,
                "blob " + digest + " is not in " + upstreamName + " on " + upstream.registry());
    }
}
