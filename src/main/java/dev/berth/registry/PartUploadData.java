package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.storage.PartUploads;
import dev.berth.storage.Storage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Upload bytes in a store without append (S3): every chunk's bytes go into parts of a multipart assembly as soon as a
 * part's worth has arrived, the rest into a small tail object, and the running sha256 into the upload's state, so the
 * next chunk may reach any instance and the digest is known at the end without reading the blob back. Only after the
 * digest matched does the assembly complete, at a key of its own that a location record in the blob store names: the
 * blob is never copied inside the store. Memory: one part's buffer per request.
 */
final class PartUploadData {
    /** S3's smallest part but the last; also the tail's largest size. */
    static final int PART = (int) PartUploads.MIN_PART;
    /** S3's most parts in one assembly. */
    private static final int MAX_PARTS = 10_000;

    private final Storage storage;
    private final PartUploads parts;
    private final BlobStore blobs;

    PartUploadData(Storage storage, PartUploads parts, BlobStore blobs) {
        this.storage = storage;
        this.parts = parts;
        this.blobs = blobs;
    }

    /** Records an upload with no bytes yet. */
    void begin(String id) {
        storage.write(Paths.uploadState(id), PartUploadState.empty().toJson());
    }

    /** Bytes received so far. */
    long size(String id) {
        return state(id).size();
    }

    /** Appends {@code body}; returns the new size. Refuses to grow past {@code maxBytes} (0: no limit). */
    long append(String id, InputStream body, long maxBytes) {
        PartUploadState before = state(id);
        Chunk chunk = read(id, before, body, maxBytes);
        String tailKey = Paths.uploadTail(id, chunk.state.size());
        Optional<String> tail = Optional.empty();
        if (chunk.buffered > 0) {
            storage.write(tailKey, java.util.Arrays.copyOf(chunk.buffer, chunk.buffered));
            tail = Optional.of(tailKey);
        }
        PartUploadState after = new PartUploadState(chunk.state.size(), chunk.hash.save(), chunk.state.assembly(),
                chunk.state.etags(), tail);
        storage.write(Paths.uploadState(id), after.toJson());
        // The old tail only once the new state no longer names it: a crash in between leaves an extra object.
        before.tail().filter(old -> !old.equals(tailKey)).ifPresent(storage::delete);
        return after.size();
    }

    /**
     * Appends {@code lastChunk}, checks the digest of the whole upload and makes the blob present in the blob store.
     * A mismatch abandons the assembly and throws DIGEST_INVALID: nothing becomes visible.
     */
    void complete(String id, InputStream lastChunk, long maxBytes, Digest expected) {
        if (!expected.algorithm().equals("sha256")) {
            throw new RegistryException(OciError.DIGEST_INVALID, "only sha256 digests are verified for uploads to a"
                    + " shared store, not " + expected.algorithm());
        }
        PartUploadState before = state(id);
        Chunk chunk = read(id, before, lastChunk, maxBytes);
        Digest actual = Digest.of(chunk.hash.digest(), "sha256");
        if (!actual.equals(expected)) {
            throw new RegistryException(OciError.DIGEST_INVALID,
                    "uploaded content has digest " + actual + ", not " + expected);
        }
        if (blobs.size(expected).isPresent()) {
            return;
        }
        if (chunk.state.assembly().isEmpty()) {
            // Smaller than a part: one plain object at the blob's own key.
            blobs.put(expected, java.util.Arrays.copyOf(chunk.buffer, chunk.buffered));
            return;
        }
        PartUploadState whole = chunk.buffered == 0 ? chunk.state : chunk.state.withPart(chunk.state.assembly().get(),
                parts.uploadPart(Paths.assembledBlob(id), chunk.state.assembly().get(), chunk.state.etags().size() + 1,
                        new ByteArrayInputStream(chunk.buffer, 0, chunk.buffered), chunk.buffered));
        // The record first: until the assembly completes it names nothing, which reads as "no blob".
        blobs.locate(expected, Paths.assembledBlob(id));
        parts.complete(Paths.assembledBlob(id), whole.assembly().get(), whole.etags());
    }

    /** Deletes the upload's bytes and state, abandoning its assembly unless it completed. */
    void discard(String id, boolean completed) {
        Optional<PartUploadState> state = storage.read(Paths.uploadState(id), PartUploadState.MAX_BYTES)
                .map(PartUploadState::fromJson);
        if (!completed) {
            state.flatMap(PartUploadState::assembly)
                    .ifPresent(assembly -> parts.abort(Paths.assembledBlob(id), assembly));
        }
        storage.deleteAll(Paths.upload(id));
    }

    private PartUploadState state(String id) {
        return storage.read(Paths.uploadState(id), PartUploadState.MAX_BYTES).map(PartUploadState::fromJson)
                .orElseThrow(() -> new RegistryException(OciError.BLOB_UPLOAD_UNKNOWN, "no upload " + id));
    }

    /**
     * Reads {@code body} after the stored tail, uploading each full part as it fills; what is left (less than a part)
     * stays in the returned buffer. Parts are numbered after the stored ones, so a chunk that failed and is sent again
     * writes the same part numbers again.
     */
    private Chunk read(String id, PartUploadState state, InputStream body, long maxBytes) {
        byte[] buffer = new byte[PART];
        int buffered = state.tail().map(key -> storage.read(key, PART).orElseThrow(
                () -> new IllegalStateException("the tail of upload " + id + " is missing")))
                .map(tail -> {
                    System.arraycopy(tail, 0, buffer, 0, tail.length);
                    return tail.length;
                }).orElse(0);
        ResumableSha256 hash = ResumableSha256.restore(state.hash());
        PartUploadState current = state;
        try {
            while (true) {
                int n = body.readNBytes(buffer, buffered, PART - buffered);
                if (maxBytes > 0 && hash.count() + n > maxBytes) {
                    throw new RegistryException(OciError.TOO_LARGE,
                            "blob exceeds the upload limit of " + maxBytes + " bytes");
                }
                hash.update(buffer, buffered, n);
                buffered += n;
                if (buffered < PART) {
                    break;
                }
                current = uploadPart(id, current, buffer);
                buffered = 0;
            }
        } catch (IOException e) {
            throw new RegistryException(OciError.BLOB_UPLOAD_INVALID, "upload interrupted: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new RegistryException(OciError.BLOB_UPLOAD_INVALID, "upload interrupted: " + e.getMessage(), e);
        }
        long size = hash.count();
        return new Chunk(new PartUploadState(size, state.hash(), current.assembly(), current.etags(), state.tail()),
                hash, buffer, buffered);
    }

    private PartUploadState uploadPart(String id, PartUploadState state, byte[] part) {
        if (state.etags().size() == MAX_PARTS - 1) {
            throw new RegistryException(OciError.TOO_LARGE, "an upload to a shared store holds at most "
                    + MAX_PARTS + " parts of " + PART + " bytes");
        }
        String key = Paths.assembledBlob(id);
        String assembly = state.assembly().orElseGet(() -> begin(id, key));
        String etag = parts.uploadPart(key, assembly, state.etags().size() + 1, new ByteArrayInputStream(part), PART);
        return state.withPart(assembly, etag);
    }

    /** Starts the assembly and records it at once, so that a chunk failing later cannot leave it unknown (and kept). */
    private String begin(String id, String key) {
        String assembly = parts.begin(key);
        PartUploadState stored = state(id);
        storage.write(Paths.uploadState(id), new PartUploadState(stored.size(), stored.hash(), Optional.of(assembly),
                stored.etags(), stored.tail()).toJson());
        return assembly;
    }

    /** A chunk read: the state with its new parts and size (hash not yet saved), the hash, and the bytes left over. */
    private record Chunk(PartUploadState state, ResumableSha256 hash, byte[] buffer, int buffered) {
    }
}
