package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.RepoName;
import dev.berth.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Manifest revisions per repository: the bytes live in the blob store, the link holds the media type. */
public final class ManifestStore {
    private static final int MAX_LINK = 256;
    /**
     * The bound for reading a stored manifest. {@code limits.max-manifest-size} is for manifests coming in: each stored
     * one passed the limit in force when it came, and lowering the limit later must not make it unreadable (GET
     * answered 500 and every garbage collection stopped). This is the largest limit the configuration accepts.
     */
    private static final int MAX_STORED = Integer.MAX_VALUE - 8;

    private final Storage storage;
    private final BlobStore blobs;
    private final int maxManifestBytes;
    private final LinkGuard guard;

    ManifestStore(Storage storage, BlobStore blobs, int maxManifestBytes, LinkGuard guard) {
        this.storage = storage;
        this.blobs = blobs;
        this.maxManifestBytes = maxManifestBytes;
        this.guard = guard;
    }

    /** The largest manifest accepted, in bytes; stored manifests are read whatever the limit is now. */
    public int maxBytes() {
        return maxManifestBytes;
    }

    /** The manifest's media type, when it is a revision of {@code name}. */
    public Optional<String> mediaType(RepoName name, Digest digest) {
        return storage.read(Paths.manifestLink(name, digest), MAX_LINK)
                .map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** The manifest, when it is a revision of {@code name} and its bytes are stored. */
    public Optional<StoredManifest> read(RepoName name, Digest digest) {
        return mediaType(name, digest).flatMap(type -> blobs.read(digest, MAX_STORED)
                .map(bytes -> new StoredManifest(digest, type, bytes)));
    }

    /** Stores the bytes and makes the manifest a revision of {@code name}. */
    public void link(RepoName name, Manifest manifest) {
        guard.linking(manifest.digest(), () -> {
            blobs.put(manifest.digest(), manifest.bytes());
            storage.write(Paths.manifestLink(name, manifest.digest()),
                    manifest.mediaType().getBytes(StandardCharsets.UTF_8));
        });
    }

    /** Removes the revision from {@code name}; false when it was not there. */
    public boolean unlink(RepoName name, Digest digest) {
        return storage.delete(Paths.manifestLink(name, digest));
    }
}
