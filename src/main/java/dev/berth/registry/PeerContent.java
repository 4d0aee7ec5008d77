package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import java.time.Duration;

/**
 * What an instance of a fleet fetches for the others, through its peer endpoint ({@value #PATH}): the mirrored
 * blobs and manifests it owns, from its own cache or upstream, never from another instance. Names are those the
 * cache stores content under ({@code docker.io/library/busybox}).
 */
public interface PeerContent {
    /** Where the peer endpoint is: {@code /peer/<cached name>/blobs/<digest>}, {@code .../manifests/<reference>}. */
    String PATH = "/peer";
    /** The header of a tag's answer: how many more milliseconds it may be served without asking the upstream. */
    String FRESH_FOR = "Berth-Fresh-For";

    /** Opens the blob, following the download when it is being fetched; throws as {@link Repository#openBlob}. */
    BlobContent blob(RepoName cachedName, Digest digest);

    /** The manifest, and by tag how much longer the tag is fresh; throws as {@link Repository#manifest}. */
    OwnedManifest manifest(RepoName cachedName, Reference reference);

    /** A manifest served to a peer, and for how long more its tag may be served unasked (zero by digest). */
    record OwnedManifest(StoredManifest manifest, Duration freshFor) {
    }
}
