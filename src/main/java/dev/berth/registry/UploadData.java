package dev.berth.registry;

import dev.berth.oci.Digest;
import java.io.InputStream;

/**
 * Where the bytes of uploads in progress and their running digests live: a file appended to on a local disk, or, in
 * an object store, parts of a multipart upload with the hash state beside them. {@link Uploads} calls it for one upload
 * at a time (it holds the upload's lock), so a form needs no locking of its own per upload, and may keep its state in
 * the store so that the next request of an upload may reach any instance.
 */
public interface UploadData {
    /** Prepares an empty upload {@code id}. */
    void begin(String id);

    /** Bytes received so far; 0 for an upload that has none (or no data at all). */
    long size(String id);

    /**
     * Appends {@code chunk} to the upload, hashing it on the way; returns the new size. When reading the chunk fails
     * part way, what was received may or may not be kept, and the size says which; the running digest still matches
     * the bytes kept. Throws {@link dev.berth.storage.StorageFullException} when the store is full.
     */
    long append(String id, InputStream chunk);

    /**
     * Checks that the upload's bytes have the digest {@code expected} (DIGEST_INVALID otherwise, and nothing reaches the
     * blob store) and makes them the blob {@code expected} in the {@link BlobStore}, without a copy of them: a move on
     * disk, a completed multipart upload and a location record in an object store. Nothing is done with the bytes when
     * the blob is stored already. The caller deletes the upload afterwards, whatever the outcome.
     */
    void complete(String id, Digest expected);

    /** Deletes the upload's bytes and state; nothing when there are none. */
    void delete(String id);
}
