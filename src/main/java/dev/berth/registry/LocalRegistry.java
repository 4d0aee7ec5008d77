package dev.berth.registry;

import dev.berth.oci.RepoName;
import dev.berth.storage.Storage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The repositories stored in this berth, over one {@link Storage}: private ones and the mirror's cache. */
public final class LocalRegistry {
    private final Storage storage;
    private final BlobStore blobs;
    private final ManifestStore manifests;
    private final TagStore tags;
    private final ReferrersIndex referrers;
    private final Uploads uploads;

    public LocalRegistry(Storage storage, int maxManifestBytes, long maxUploadBytes) {
        this.storage = storage;
        this.blobs = new BlobStore(storage);
        this.manifests = new ManifestStore(storage, blobs, maxManifestBytes);
        this.tags = new TagStore(storage);
        this.referrers = new ReferrersIndex(storage);
        this.uploads = new Uploads(storage, blobs, maxUploadBytes);
    }

    /** The stored repository of that name (it need not exist yet: a push creates it). */
    public Repository repository(RepoName name) {
        return local(name);
    }

    /** The same repository seen by the mirror, which fills it from an upstream. */
    public RepositoryCache cache(RepoName name) {
        return local(name);
    }

    /** All stored repository names, sorted. */
    public List<String> catalog() {
        List<String> names = new ArrayList<>();
        collect("", names);
        names.sort(null);
        return names;
    }

    /** Deletes uploads older than {@code maxAge}; returns how many. */
    public int purgeUploads(Duration maxAge, Instant now) {
        return uploads.purge(maxAge, now);
    }

    /** The shared blob store. */
    public BlobStore blobs() {
        return blobs;
    }

    private LocalRepository local(RepoName name) {
        return new LocalRepository(name, storage, blobs, manifests, tags, referrers, uploads);
    }

    private void collect(String prefix, List<String> names) {
        String dir = prefix.isEmpty() ? Paths.REPOSITORIES : Paths.REPOSITORIES + "/" + prefix;
        for (String child : storage.list(dir)) {
            if (child.equals(Paths.MANIFESTS_DIR)) {
                names.add(prefix);
            } else if (!child.startsWith("_")) {
                collect(prefix.isEmpty() ? child : prefix + "/" + child, names);
            }
        }
    }
}
