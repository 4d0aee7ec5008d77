package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.RepoName;
import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.Storage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.Predicate;

/** The repositories stored in this berth, over one {@link Storage}: private ones and the mirror's cache. */
public final class LocalRegistry {
    private final Storage storage;
    private final BlobStore blobs;
    private final ManifestStore manifests;
    private final TagStore tags;
    private final PinStore pins;
    private final ReferrersIndex referrers;
    private final Uploads uploads;
    private final LinkGuard guard;

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
        this.storage = storage;
        this.blobs = new BlobStore(storage, blobRedirects);
        this.guard = new LinkGuard(shared ? LinkMarks.in(storage, blobs) : LinkMarks.NONE);
        this.manifests = new ManifestStore(storage, blobs, maxManifestBytes, guard);
        this.tags = new TagStore(storage);
        this.pins = new PinStore(storage);
        this.referrers = new ReferrersIndex(storage);
        this.uploads = new Uploads(storage, uploadData, maxUploadBytes, guard);
    }

    /** The stored repository of that name (it need not exist yet: a push creates it). */
    public WritableRepository repository(RepoName name) {
        return local(name);
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
    List<RepoName> repositories() {
        List<String> names = new ArrayList<>();
        collect("", child -> child.startsWith("_"), names);
        return names.stream().map(RepoName::of).toList();
    }

    /** A collector of content unused for {@code grace}, by {@code clock}. */
    public GarbageCollector garbageCollector(Duration grace, Clock clock) {
        return new GarbageCollector(this, storage, blobs, manifests, guard, grace, clock);
    }

    /**
     * An evictor keeping the blobs and manifests of the repositories {@code evictable} accepts, {@code pinned} digests
     * excepted, within {@code maxBytes}, least recently used first by {@code lastAccess} (a digest it does not know
     * counts as used when it was stored).
     */
    public Evictor evictor(long maxBytes, Predicate<RepoName> evictable, Supplier<Set<Digest>> pinned,
                           Function<Digest, Optional<Instant>> lastAccess) {
        return new Evictor(this, storage, blobs, guard, maxBytes, evictable, pinned, lastAccess);
    }

    /** Deletes uploads older than {@code maxAge}; returns how many. */
    public int purgeUploads(Duration maxAge, Instant now) {
        return uploads.purge(maxAge, now);
    }

    /** The tags pinned through the admin API. */
    public PinStore pins() {
        return pins;
    }

    /** The shared blob store. */
    public BlobStore blobs() {
        return blobs;
    }

    LocalRepository local(RepoName name) {
        return new LocalRepository(name, storage, blobs, manifests, tags, referrers, uploads, guard);
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
