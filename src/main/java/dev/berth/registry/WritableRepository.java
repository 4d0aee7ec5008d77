package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import java.io.InputStream;

/**
 * The write side of a repository, which only repositories pushed to berth have: a mirrored one is a read-only copy of
 * its upstream's, and the registry API answers DENIED where this side is missing.
 */
public interface WritableRepository extends Repository {
    /** Makes the blob unreachable through this repository (the bytes go when nothing references them). */
    void deleteBlob(Digest digest);

    /** Stores a whole blob sent in one request, verifying its digest. */
    void putBlob(InputStream body, Digest digest);

    /** Links a blob of {@code source} into this repository; false when the source cannot give it. */
    boolean mountBlob(Digest digest, Repository source);

    /** The upload sessions of this repository. */
    UploadSessions uploads();

    /** Stores and links a manifest after checking it; returns what was stored. */
    PushedManifest putManifest(Reference reference, byte[] bytes, String contentType);

    /** Deletes a manifest by digest (and the tags on it) or a tag alone. */
    void deleteManifest(Reference reference);
}
