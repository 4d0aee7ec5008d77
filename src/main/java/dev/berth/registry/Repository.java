package dev.berth.registry;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import java.util.List;
import java.util.Optional;

/**
 * The read side of one repository as the registry API sees it, which every repository has: the local implementation
 * serves what is pushed, a pull-through implementation fills it from an upstream. Only a repository pushed to berth
 * has the write side too, {@link WritableRepository}. Every failure is a {@link dev.berth.oci.RegistryException}.
 */
public interface Repository {
    RepoName name();

    /** Whether this is a read-only copy of an upstream's repository rather than one pushed to berth. */
    boolean isMirror();

    /** The size of a blob reachable through this repository. */
    Optional<Long> blobSize(Digest digest);

    /** Opens a blob reachable through this repository, or fails with BLOB_UNKNOWN. */
    BlobContent openBlob(Digest digest);

    /** The manifest a tag or digest names, or MANIFEST_UNKNOWN. */
    StoredManifest manifest(Reference reference);

    /** All tags, sorted; NAME_UNKNOWN when the repository does not exist. */
    List<String> tags();

    /** The manifests whose subject is {@code subject}, optionally only those of one artifact type. */
    List<Descriptor> referrers(Digest subject, Optional<String> artifactType);
}
