package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.Storage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The repositories stored in this berth, over one {@link Storage}: private ones and the mirror's cache. */
public final class LocalRegistry {
    /** How recent a link mark keeps a digest from eviction: a link under way, give or take the store's clock. */
    private static final Duration MARK_MARGIN = Duration.ofMinutes(2);

    private final Storage storage;
    private final BlobStore blobs;
    private final ManifestStore manifests;
    private final TagStore tags;
    private final ReferrersIndex referrers;
    private final UpstreamReferrersStore upstreamReferrers;
    private final Uploads uploads;
    private final LinkGuard guard;
    private final TagImmutability immutability;

    /** Over a data directory, where uploads append to files. */
    public LocalRegistry(FileSystemStorage storage, int maxManifestBytes, long maxUploadBytes) {
        this(storage, new FileUploadData(storage), maxManifestBytes, maxUploadBytes);
    }

    /** Over any store, with the form of upload data that suits it. */
    public LocalRegistry(Storage storage, UploadData uploadData, int maxManifestBytes, long maxUploadBytes) {
        this(storage, uploadData, maxManifestBytes, maxUploadBytes, Optional.empty(), false);
    }

    /**
     * As the other constructors; with {@code blobRedirects}, blob GETs are sent to presigned URLs valid that long;
     * {@code shared}: other instances write the same store, so links leave marks for their collectors.
     */
    public LocalRegistry(Storage storage, UploadData uploadData, int maxManifestBytes, long maxUploadBytes,
                         Optional<Duration> blobRedirects, boolean shared) {
        this(storage, uploadData, maxManifestBytes, maxUploadBytes, blobRedirects, shared, UploadLimits.none());
    }

    /** As the other constructors, with the upload sessions that clients may hold open capped by {@code limits}. */
    public LocalRegistry(Storage storage, UploadData uploadData, int maxManifestBytes, long maxUploadBytes,
                         Optional<Duration> blobRedirects, boolean shared, UploadLimits limits) {
        this(storage, uploadData, maxManifestBytes, maxUploadBytes, blobRedirects, shared, limits, ImmutableTags.NONE);
    }

    /** As the other constructors, with the tags of private repositories that {@code immutable} keeps from moving. */
    public LocalRegistry(Storage storage, UploadData uploadData, int maxManifestBytes, long maxUploadBytes,
                         Optional<Duration> blobRedirects, boolean shared, UploadLimits limits,
                         ImmutableTags immutable) {
        this.immutability = new TagImmutability(immutable);
        this.storage = storage;
        this.blobs = new BlobStore(storage, blobRedirects);
        this.guard = new LinkGuard(shared ? LinkMarks.in(storage, blobs) : LinkMarks.NONE);
        this.manifests = new ManifestStore(storage, blobs, maxManifestBytes, guard);
        this.tags = new TagStore(storage);
        this.referrers = new ReferrersIndex(storage);
        this.upstreamReferrers = new UpstreamReferrersStore(storage);
        this.uploads = new Uploads(storage, uploadData, maxUploadBytes, guard, limits);
    }

    /** The stored repository of that name (it need not exist yet: a push creates it). */
    public WritableRepository repository(RepoName name) {
        return local(name);
    }

    /** The stored repository of that name as an administrator writes it: immutable tags may be deleted. */
    public WritableRepository administered(RepoName name) {
        return new LocalRepository(name, storage, blobs, manifests, tags, referrers, upstreamReferrers, uploads,
                guard, TagImmutability.NONE);
    }

    /** The tags and manifests of {@code name} as stored now. */
    public StoredImages images(RepoName name) {
        return local(name).images();
    }

    /**
     * Runs {@code removals} with no push to {@code name} under way in this process; empty, without running it, when
     * one is (a busy repository waits for the next round rather than pushes waiting for this one).
     */
    public <T> Optional<T> whileNoPush(RepoName name, Supplier<T> removals) {
        return guard.tryExclusive(name, removals);
    }

    /** Removes {@code tag} of {@code name} if it still points at {@code digest}; whether it did. */
    public boolean removeTag(RepoName name, String tag, Digest digest) {
        return local(name).removeTag(tag, digest);
    }

    /**
     * Removes the manifest {@code digest} of {@code name} if no tag names it (with its place among its subject's
     * referrers); whether it did. Its blobs go with the next garbage collection.
     */
    public boolean removeUntagged(RepoName name, Digest digest) {
        return local(name).removeUntagged(digest);
    }

    /** The same repository seen by the mirror, which fills it from an upstream. */
    public RepositoryCache cache(RepoName name) {
        return local(name);
    }

    /**
     * All stored repository names with a manifest, sorted. A repository whose manifests were all deleted or evicted
     * keeps its directories, but is not listed: nothing in it can be pulled.
     */
    public List<String> catalog() {
        List<String> names = new ArrayList<>();
        collect("", Paths.MANIFESTS_DIR::equals, names);
        // A directory berth did not write may break the grammar: it is no repository, not a reason to fail.
        names.removeIf(name -> !RepoName.isValid(name) || !holdsManifest(RepoName.of(name)));
        names.sort(null);
        return names;
    }

    /** Whether a manifest link is left: a deleted revision leaves its directory behind. Stops at the first. */
    private boolean holdsManifest(RepoName name) {
        return StoredDigests.stream(storage, Paths.revisions(name))
                .anyMatch(digest -> storage.stat(Paths.manifestLink(name, digest)).isPresent());
    }

    /** Every repository with anything stored, manifests or only blobs. */
    public List<RepoName> repositories() {
        List<String> names = new ArrayList<>();
        collect("", child -> child.startsWith("_"), names);
        return names.stream().map(RepoName::of).toList();
    }

    /** A collector of content unused for {@code grace}, by {@code clock}. */
    public GarbageCollector garbageCollector(Duration grace, Clock clock) {
        return new GarbageCollector(this, storage, blobs, manifests, guard, grace, clock);
    }

    /** The digests {@code name} links, as layers or as manifests. */
    public Set<Digest> linkedDigests(RepoName name) {
        Set<Digest> linked = new HashSet<>(StoredDigests.under(storage, Paths.layers(name)));
        linked.addAll(StoredDigests.under(storage, Paths.revisions(name)));
        return linked;
    }

    /**
     * Removes {@code digest} from the repositories that link it (layer links, manifest revisions and the tags on them,
     * as a {@code DELETE} does), then deletes the blob, all under the digest's lock, where no link to it can be made;
     * false, removing nothing, when a repository that {@code evictable} refuses links it (a push or mount may have just
     * landed, in a repository perhaps created since the caller looked) or another instance on a shared store marked a
     * link to it moments ago.
     */
    public boolean evict(Digest digest, Predicate<RepoName> evictable) {
        return guard.holding(digest, () -> evictLocked(digest, evictable));
    }

    private boolean evictLocked(Digest digest, Predicate<RepoName> evictable) {
        // On a shared store another instance may be linking it right now (a private mount of a mirrored blob): its
        // mark says so, where this process's locks cannot.
        Instant recently = Instant.now().minus(MARK_MARGIN);
        if (guard.linkedElsewhereAt(digest).filter(at -> at.isAfter(recently)).isPresent()) {
            return false;
        }
        List<RepoName> linking = new ArrayList<>();
        for (RepoName name : repositories()) {
            if (storage.stat(Paths.layerLink(name, digest)).isPresent()
                    || storage.stat(Paths.manifestLink(name, digest)).isPresent()) {
                if (!evictable.test(name)) {
                    return false;
                }
                linking.add(name);
            }
        }
        // Links first: a reader that finds no link asks the upstream again rather than finding a link to nothing.
        linking.forEach(name -> local(name).evict(digest));
        return blobs.delete(digest);
    }

    /** Deletes uploads older than {@code maxAge}; returns how many. */
    public int purgeUploads(Duration maxAge, Instant now) {
        return uploads.purge(maxAge, now);
    }

    /** The shared blob store. */
    public BlobStore blobs() {
        return blobs;
    }

    LocalRepository local(RepoName name) {
        return new LocalRepository(name, storage, blobs, manifests, tags, referrers, upstreamReferrers, uploads,
                guard, immutability);
    }

    /** Collects the names under {@code prefix} whose directory has a child that {@code marks} a repository. */
    private void collect(String prefix, Predicate<String> marks, List<String> names) {
        String dir = prefix.isEmpty() ? Paths.REPOSITORIES : Paths.REPOSITORIES + "/" + prefix;
        boolean added = false;
        for (String child : storage.list(dir)) {
            if (marks.test(child)) {
                if (!added) {
                    names.add(prefix);
                    added = true;
                }
            } else if (!child.startsWith("_")) {
                collect(prefix.isEmpty() ? child : prefix + "/" + child, marks, names);
            }
        }
    }
}
