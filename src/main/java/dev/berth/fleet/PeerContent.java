package dev.berth.fleet;

import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobContent;
import dev.berth.registry.StoredManifest;
import java.time.Duration;

/**
 * What an instance of a fleet fetches for the others, through its peer endpoint: the mirrored blobs and manifests it
 * owns, from its own cache or upstream, never from another instance. Names are those the cache stores content under
 * ({@code docker.io/library/busybox}). The mirror implements it.
 */
public interface PeerContent {
    /** Opens the blob, following the download when it is being fetched; throws as {@code Repository.openBlob}. */
    BlobContent blob(RepoName cachedName, Digest digest);

    /** The manifest, and by tag how much longer the tag is fresh; throws as {@code Repository.manifest}. */
    OwnedManifest manifest(RepoName cachedName, Reference reference);

    /** A manifest served to a peer, and for how long more its tag may be served unasked (zero by digest). */
    record OwnedManifest(StoredManifest manifest, Duration freshFor) {
    }
}
