package dev.berth.mirror;

import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobContent;
import dev.berth.registry.StoredManifest;
import java.util.List;
import java.util.OptionalLong;

/**
 * A mirrored repository as fetching ahead of demand sees it: manifests and blobs through the pull-through path that
 * clients use (tag freshness, single-flight downloads, each blob stored once), uncounted as client traffic, and what
 * is cached already.
 */
public final class MirroredRepository {
    private final PullThroughRepository repository;
    private final MirroredName mirrored;

    MirroredRepository(PullThroughRepository repository) {
        this.repository = repository;
        this.mirrored = repository.mirroredName();
    }

    /** The name it is cached under, as {@code docker.io/library/busybox}. */
    public RepoName name() {
        return repository.name();
    }

    /** The configured registry name of its upstream. */
    public String registry() {
        return mirrored.upstream().registry();
    }

    /** The upstream's tags (one listing), or the cached ones while it fails. */
    public List<String> tags() {
        return repository.tags();
    }

    /**
     * Whether the upstream's last answer left fewer requests than {@code share} of its rate limit (and at least
     * {@code floor}): a fetch ahead of demand leaves those to clients. False until it reported a limit.
     */
    public boolean rateLimitBelow(double share, long floor) {
        OptionalLong remaining = mirrored.upstream().client().rateLimitRemaining();
        OptionalLong limit = mirrored.upstream().client().rateLimitLimit();
        if (remaining.isEmpty()) {
            return false;
        }
        long reserve = Math.max(floor, limit.isPresent() ? (long) (limit.getAsLong() * share) : 0);
        return remaining.getAsLong() < reserve;
    }

    /** Its name on the upstream, as {@code library/busybox}. */
    public RepoName upstreamName() {
        return mirrored.upstreamName();
    }

    /** The manifest {@code reference} names: cached, or fetched (a tag past its TTL is checked with a HEAD). */
    public StoredManifest manifest(Reference reference) {
        return repository.manifest(reference);
    }

    /** Whether the blob is stored and linked here: nothing to fetch. */
    public boolean hasBlob(Digest digest) {
        return mirrored.cache().hasBlob(digest);
    }

    /** Opens the blob, starting or joining its download when it is not cached. */
    public BlobContent openBlob(Digest digest) {
        return repository.openBlob(digest);
    }
}
