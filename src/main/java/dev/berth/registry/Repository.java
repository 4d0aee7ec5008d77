package dev.berth.registry;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * One repository as the registry API sees it. The local implementation stores what is pushed; a pull-through
 * implementation wraps it and fills it from an upstream. Every failure is a {@link dev.berth.oci.RegistryException}.
 */
public interface Repository {
    RepoName name();

    /** Whether this is a read-only copy of an upstream's repository rather than one pushed to berth. */
    boolean isMirror();

    /** The size of a blob reachable through this repository. */
    Optional<Long> blobSize(Digest digest);

    /** Opens a blob reachable through this repository, or fails with BLOB_UNKNOWN. */
    BlobContent openBlob(Digest digest);

    /** Makes the blob unreachable through this repository (the bytes go when nothing references them). */
    void deleteBlob(Digest digest);

    /** Stores a whole blob sent in one request, verifying its digest. */
    void putBlob(InputStream body, Digest digest);

    /** Links a blob of {@code source} into this repository; false when the source cannot give it. */
    boolean mountBlob(Digest digest, Repository source);

    /** The upload sessions of this repository. */
    UploadSessions uploads();

    /** The manifest a tag or digest names, or MANIFEST_UNKNOWN. */
    StoredManifest manifest(Reference reference);

    /** Stores and links a manifest after checking it; returns what was stored. */
    PushedManifest putManifest(Reference reference, byte[] bytes, String contentType);

    /** Deletes a manifest by digest (and the tags on it) or a tag alone. */
    void deleteManifest(Reference reference);

    /** All tags, sorted; NAME_UNKNOWN when the repository does not exist. */
    List<String> tags();

    /** The manifests whose subject is {@code subject}, optionally only those of one artifact type. */
    List<Descriptor> referrers(Digest subject, Optional<String> artifactType);
}
