package dev.berth.registry;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestParser;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.storage.Storage;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** A repository whose content is stored here: what clients push, and what the mirror has cached. */
final class LocalRepository implements WritableRepository, RepositoryCache {
    private final RepoName name;
    private final Storage storage;
    private final BlobStore blobs;
    private final ManifestStore manifests;
    private final TagStore tags;
    private final ReferrersIndex referrers;
    private final UpstreamReferrersStore upstreamReferrers;
    private final Uploads uploads;
    private final LinkGuard guard;
    private final TagImmutability immutability;

    LocalRepository(RepoName name, Storage storage, BlobStore blobs, ManifestStore manifests, TagStore tags,
                    ReferrersIndex referrers, UpstreamReferrersStore upstreamReferrers, Uploads uploads,
                    LinkGuard guard, TagImmutability immutability) {
        this.name = name;
        this.storage = storage;
        this.blobs = blobs;
        this.manifests = manifests;
        this.tags = tags;
        this.referrers = referrers;
        this.upstreamReferrers = upstreamReferrers;
        this.uploads = uploads;
        this.guard = guard;
        this.immutability = immutability;
    }

    @Override
    public RepoName name() {
        return name;
    }

    @Override
    public boolean isMirror() {
        return false;
    }

    @Override
    public Optional<Long> blobSize(Digest digest) {
        return storage.stat(Paths.layerLink(name, digest)).isPresent() ? blobs.size(digest) : Optional.empty();
    }

    @Override
    public BlobContent openBlob(Digest digest) {
        if (!storage.existsForReading(Paths.layerLink(name, digest))) {
            throw blobUnknown(digest);
        }
        return blobs.open(digest).orElseThrow(() -> blobUnknown(digest));
    }

    @Override
    public void deleteBlob(Digest digest) {
        if (!storage.delete(Paths.layerLink(name, digest))) {
            throw blobUnknown(digest);
        }
    }

    @Override
    public void putBlob(InputStream body, Digest digest) {
        // Not a session that a client holds: it ends with this request, which the request limits bound.
        uploads().complete(uploads.start(name), body, Optional.empty(), digest);
    }

    @Override
    public boolean mountBlob(Digest digest, Repository source) {
        // A mirrored source may know a blob from its upstream that is not stored here yet: only stored bytes mount.
        if (blobs.size(digest).isEmpty() || source.blobSize(digest).isEmpty()) {
            return false;
        }
        linkBlob(digest);
        return true;
    }

    @Override
    public void linkBlob(Digest digest) {
        StorageFull.translated(() -> guard.sharing(name, () -> {
            guard.linking(digest, () -> hasBlob(digest), () -> {
                // Under the digest's lock a collection cannot delete the blob between this check and the link.
                if (blobs.size(digest).isEmpty()) {
                    throw blobUnknown(digest);
                }
                writeLink(digest);
            });
            return null;
        }));
    }

    private void writeLink(Digest digest) {
        storage.write(Paths.layerLink(name, digest), new byte[0]);
    }

    @Override
    public boolean hasBlob(Digest digest) {
        return blobSize(digest).isPresent();
    }

    @Override
    public Optional<BlobContent> findBlob(Digest digest) {
        return storage.existsForReading(Paths.layerLink(name, digest)) ? blobs.open(digest) : Optional.empty();
    }

    @Override
    public UploadSessions uploads() {
        return new UploadSessions() {
            @Override
            public String start(String client) {
                return uploads.start(name, client);
            }

            @Override
            public long size(String id) {
                return uploads.size(name, id);
            }

            @Override
            public long append(String id, InputStream chunk, Optional<Long> chunkStart) {
                return uploads.append(name, id, chunk, chunkStart);
            }

            @Override
            public void complete(String id, InputStream lastChunk, Optional<Long> chunkStart, Digest digest) {
                guard.sharing(name, () -> {
                    uploads.complete(name, id, lastChunk, chunkStart, digest, () -> writeLink(digest));
                    return null;
                });
            }

            @Override
            public void cancel(String id) {
                uploads.cancel(name, id);
            }
        };
    }

    @Override
    public StoredManifest manifest(Reference reference) {
        Digest digest = resolve(reference);
        return manifests.read(name, digest).orElseThrow(() -> manifestUnknown(reference));
    }

    @Override
    public PushedManifest putManifest(Reference reference, byte[] bytes, String contentType) {
        // Shared with other pushes, exclusive of the collector's link sweep: the links checked here stay until linked.
        Supplier<PushedManifest> push = () -> guard.sharing(name, () -> checkAndLink(reference, bytes, contentType));
        return StorageFull.translated(() -> reference instanceof Reference.Tag tag
                ? immutability.pushing(name, tag.name(), push) : push.get());
    }

    private PushedManifest checkAndLink(Reference reference, byte[] bytes, String contentType) {
        if (bytes.length > manifests.maxBytes()) {
            throw new RegistryException(OciError.TOO_LARGE,
                    "manifest is " + bytes.length + " bytes, over the limit of " + manifests.maxBytes());
        }
        Optional<Digest> named = reference.asDigest();
        Manifest manifest = ManifestParser.parse(bytes, contentType, named.map(Digest::algorithm).orElse("sha256"));
        if (named.isPresent() && !named.get().equals(manifest.digest())) {
            throw new RegistryException(OciError.DIGEST_INVALID,
                    "manifest digest " + manifest.digest() + " does not match " + named.get());
        }
        manifest.requiredBlobs().filter(d -> blobSize(d.digest()).isEmpty()).findFirst().ifPresent(d -> {
            throw new RegistryException(OciError.MANIFEST_BLOB_UNKNOWN, "blob " + d.digest() + " is not in " + name);
        });
        manifest.manifests().stream().filter(d -> manifests.mediaType(name, d.digest()).isEmpty()).findFirst()
                .ifPresent(d -> {
                    throw new RegistryException(OciError.MANIFEST_BLOB_UNKNOWN,
                            "manifest " + d.digest() + " is not in " + name);
                });
        if (reference instanceof Reference.Tag tag) {
            // Before anything is linked: a refused push leaves nothing behind. The same digest again is accepted.
            immutability.checkMove(name, tag.name(),
                    tags.get(name, tag.name()).filter(d -> !d.equals(manifest.digest())).isPresent());
        }
        link(manifest);
        if (reference instanceof Reference.Tag tag) {
            tags.put(name, tag.name(), manifest.digest(), Instant.now());
        }
        return new PushedManifest(manifest.digest(), manifest.mediaType(), manifest.subject().map(Descriptor::digest));
    }

    @Override
    public Repository repository() {
        return this;
    }

    @Override
    public Optional<CachedTag> tag(String tag) {
        return tags.read(name, tag);
    }

    @Override
    public Optional<StoredManifest> manifest(Digest digest) {
        return manifests.read(name, digest);
    }

    @Override
    public StoredManifest storeManifest(StoredManifest stored) {
        Manifest manifest = ManifestParser.parse(stored.bytes(), stored.mediaType(), stored.digest().algorithm());
        StorageFull.translated(() -> link(manifest));
        return new StoredManifest(manifest.digest(), manifest.mediaType(), manifest.bytes());
    }

    @Override
    public void tag(String tag, Digest digest, Instant confirmed) {
        StorageFull.translated(() -> tags.confirm(name, tag, digest, confirmed));
    }

    @Override
    public Optional<CachedReferrers> upstreamReferrers(Digest subject, int maxBytes) {
        return upstreamReferrers.read(name, subject, maxBytes);
    }

    @Override
    public void upstreamReferrers(Digest subject, CachedReferrers referrers) {
        StorageFull.translated(() -> upstreamReferrers.write(name, subject, referrers));
    }

    private void link(Manifest manifest) {
        manifests.link(name, manifest);
        manifest.subject().ifPresent(s -> referrers.add(name, s.digest(), manifest.descriptor()));
    }

    @Override
    public void deleteManifest(Reference reference) {
        if (reference instanceof Reference.Tag tag) {
            if (tags.get(name, tag.name()).isPresent()) {
                immutability.checkDelete(name, tag.name());
            }
            if (!tags.delete(name, tag.name())) {
                throw manifestUnknown(reference);
            }
            return;
        }
        StoredManifest stored = manifest(reference);
        tagsOn(stored.digest()).forEach(tag -> immutability.checkDelete(name, tag));
        unlink(stored);
    }

    /** Removes {@code tag} if it still points at {@code digest}, for retention; whether it did. */
    boolean removeTag(String tag, Digest digest) {
        return tags.get(name, tag).filter(digest::equals).isPresent() && tags.delete(name, tag);
    }

    /** Removes the revision {@code digest} if no tag names it, for retention; whether it did. */
    boolean removeUntagged(Digest digest) {
        Optional<StoredManifest> stored = manifests.read(name, digest);
        if (stored.isEmpty() || !tagsOn(digest).isEmpty()) {
            return false;
        }
        unlink(stored.get());
        return true;
    }

    /** The tags and manifests stored now. */
    StoredImages images() {
        List<PushedTag> pushed = tags.list(name).stream().flatMap(tag -> tags.pushed(name, tag).stream()).toList();
        List<StoredRevision> revisions = new ArrayList<>();
        for (Digest digest : StoredDigests.under(storage, Paths.revisions(name))) {
            Optional<Instant> at = storage.stat(Paths.manifestLink(name, digest)).map(info -> info.modified());
            Optional<StoredManifest> stored = manifests.read(name, digest);
            if (at.isEmpty() || stored.isEmpty()) {
                continue;
            }
            try {
                Manifest manifest = ManifestParser.parse(stored.get().bytes(), stored.get().mediaType(),
                        digest.algorithm());
                revisions.add(new StoredRevision(digest, at.get(),
                        manifest.manifests().stream().map(Descriptor::digest).toList(),
                        manifest.subject().map(Descriptor::digest), true));
            } catch (RegistryException e) {
                revisions.add(new StoredRevision(digest, at.get(), List.of(), Optional.empty(), false));
            }
        }
        return new StoredImages(name, pushed, revisions);
    }

    private List<String> tagsOn(Digest digest) {
        return tags.list(name).stream().filter(tag -> tags.get(name, tag).filter(digest::equals).isPresent())
                .toList();
    }

    /**
     * Removes {@code digest} from this repository for the disk budget, which holds the digest's lock: its layer link
     * and, when it is a manifest revision here, the revision as a delete does.
     */
    void evict(Digest digest) {
        storage.delete(Paths.layerLink(name, digest));
        manifests.read(name, digest).ifPresent(this::unlink);
    }

    /** Removes a revision: its place among its subject's referrers, its link, and the tags pointing at it. */
    private void unlink(StoredManifest stored) {
        subjectOf(stored).ifPresent(subject -> referrers.remove(name, subject, stored.digest()));
        manifests.unlink(name, stored.digest());
        tagsOn(stored.digest()).forEach(tag -> tags.delete(name, tag));
    }

    @Override
    public List<String> tags() {
        if (storage.list(Paths.repository(name)).isEmpty()) {
            throw new RegistryException(OciError.NAME_UNKNOWN, "repository " + name + " is not known");
        }
        return tags.list(name);
    }

    @Override
    public List<Descriptor> referrers(Digest subject, Optional<String> artifactType) {
        return referrers.list(name, subject, artifactType);
    }

    private Digest resolve(Reference reference) {
        return switch (reference) {
            case Reference.ByDigest d -> d.value();
            case Reference.Tag t -> tags.get(name, t.name()).orElseThrow(() -> manifestUnknown(reference));
        };
    }

    private static Optional<Digest> subjectOf(StoredManifest stored) {
        try {
            return ManifestParser.parse(stored.bytes(), stored.mediaType(), stored.digest().algorithm()).subject()
                    .map(Descriptor::digest);
        } catch (RegistryException e) {
            return Optional.empty();
        }
    }

    private RegistryException manifestUnknown(Reference reference) {
        return new RegistryException(OciError.MANIFEST_UNKNOWN, "manifest " + reference + " is not in " + name);
    }

    private RegistryException blobUnknown(Digest digest) {
        return new RegistryException(OciError.BLOB_UNKNOWN, "blob " + digest + " is not in " + name);
    }
}
