package dev.berth.mirror;

import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobContent;
import dev.berth.registry.RepositoryCache;
import dev.berth.registry.StoredManifest;

/**
 * A mirrored repository as fetching ahead of demand sees it: manifests and blobs through the pull-through path that
 * clients use (tag freshness, single-flight downloads, each blob stored once), uncounted as client traffic, and what
 * is cached already.
 */
public final class MirroredRepository {
    private final PullThroughRepository repository;
    private final RepositoryCache cache;
    private final String registry;
    private final RepoName upstreamName;

    MirroredRepository(PullThroughRepository repository, RepositoryCache cache, String registry,
                       RepoName upstreamName) {
        this.repository = repository;
        this.cache = cache;
        this.registry = registry;
        this.upstreamName = upstreamName;
    }

    /** The name it is cached under, as {@code docker.io/library/busybox}. */
    public RepoName name() {
        return repository.name();
    }

    /** The configured registry name of its upstream. */
    public String registry() {
        return registry;
    }

    /** Its name on the upstream, as {@code library/busybox}. */
    public RepoName upstreamName() {
        return upstreamName;
    }

    /** The manifest {@code reference} names: cached, or fetched (a tag past its TTL is checked with a HEAD). */
    public StoredManifest manifest(Reference reference) {
        return repository.manifest(reference);
    }

    /** Whether the blob is stored and linked here: nothing to fetch. */
    public boolean hasBlob(Digest digest) {
        return cache.hasBlob(digest);
    }

    /** Opens the blob, starting or joining its download when it is not cached. */
    public BlobContent openBlob(Digest digest) {
        return repository.openBlob(digest);
    }
}
