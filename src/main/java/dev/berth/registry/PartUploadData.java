package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.storage.PartUploads;
import dev.berth.storage.Storage;
import dev.berth.storage.StorageFullException;
import dev.berth.storage.StorageUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Uploads in a store without append (S3): every chunk's bytes go into parts of a multipart assembly as soon as a
 * part's worth has arrived, the rest into a small tail object, and the running sha256 into the upload's state, so the
 * next chunk may reach any instance and the digest is known at the end without reading the blob back. Only after the
 * digest matched does the assembly complete, at a key of its own that a location record in the blob store names: the
 * blob is never copied inside the store. Memory: one part's buffer per request.
 */
public final class PartUploadData implements UploadData {
    /** S3's smallest part but the last; also the tail's largest size. */
    static final int PART = (int) PartUploads.MIN_PART;
    /** S3's most parts in one assembly. */
    private static final int MAX_PARTS = 10_000;

    private final Storage storage;
    private final PartUploads parts;
    private final BlobStore blobs;

    /** Uploads in {@code storage}, whose multipart uploads {@code parts} makes. */
    public PartUploadData(Storage storage, PartUploads parts) {
        this.storage = storage;
        this.parts = parts;
        this.blobs = new BlobStore(storage);
    }

    @Override
    public void begin(String id) {
        storage.write(Paths.uploadState(id), PartUploadState.empty().toJson());
    }

    @Override
    public long size(String id) {
        return stored(id).map(PartUploadState::size).orElse(0L);
    }

    @Override
    public long append(String id, InputStream chunk) {
        PartUploadState before = state(id);
        byte[] buffer = new byte[PART];
        int buffered = readTail(id, before, buffer);
        ResumableSha256 hash = ResumableSha256.restore(before.hash());
        PartUploadState current = before;
        try {
            int n;
            while ((n = chunk.readNBytes(buffer, buffered, PART - buffered)) > 0) {
                hash.update(buffer, buffered, n);
                buffered += n;
                if (buffered == PART) {
                    current = uploadPart(id, current, buffer, PART);
                    buffered = 0;
                }
            }
        } catch (StorageUnavailableException | StorageFullException e) {
            // The store's trouble, not the client's: answered as such (503 with Retry-After, 507).
            throw e;
        } catch (IOException | UncheckedIOException e) {
            // The parts uploaded meanwhile are named again by the next chunk, which starts where the state says.
            throw new RegistryException(OciError.BLOB_UPLOAD_INVALID, "upload interrupted: " + e.getMessage(), e);
        }
        String tailKey = Paths.uploadTail(id, hash.count());
        Optional<String> tail = Optional.empty();
        if (buffered > 0) {
            storage.write(tailKey, Arrays.copyOf(buffer, buffered));
            tail = Optional.of(tailKey);
        }
        storage.write(Paths.uploadState(id), new PartUploadState(hash.count(), hash.save(), current.assembly(),
                current.etags(), tail).toJson());
        // The old tail only once the new state no longer names it: a crash in between leaves an extra object.
        before.tail().filter(old -> !old.equals(tailKey)).ifPresent(storage::delete);
        return hash.count();
    }

    @Override
    public void complete(String id, Digest expected) {
        PartUploadState state = state(id);
        if (!expected.algorithm().equals("sha256")) {
            throw new RegistryException(OciError.DIGEST_INVALID, "only sha256 digests are verified for uploads to a"
                    + " shared store, not " + expected.algorithm());
        }
        Digest actual = Digest.of(ResumableSha256.restore(state.hash()).digest(), "sha256");
        if (!actual.equals(expected)) {
            throw new RegistryException(OciError.DIGEST_INVALID,
                    "uploaded content has digest " + actual + ", not " + expected);
        }
        if (blobs.size(expected).isPresent()) {
            return;
        }
        byte[] tail = new byte[PART];
        int length = readTail(id, state, tail);
        if (state.assembly().isEmpty()) {
            // Smaller than a part: one plain object at the blob's own key.
            blobs.put(expected, Arrays.copyOf(tail, length));
            return;
        }
        PartUploadState whole = length == 0 ? state : uploadPart(id, state, tail, length);
        // The record first: until the assembly completes it names nothing, which reads as no blob.
        blobs.recordLocation(expected, Paths.assembledBlob(id));
        parts.complete(Paths.assembledBlob(id), whole.assembly().orElseThrow(), whole.etags());
        // Completed: the state goes now, so that deleting the upload does not abort what is the blob's.
        storage.delete(Paths.uploadState(id));
    }

    @Override
    public void delete(String id) {
        stored(id).flatMap(PartUploadState::assembly)
                .ifPresent(assembly -> parts.abort(Paths.assembledBlob(id), assembly));
        storage.deleteAll(Paths.upload(id));
    }

    private Optional<PartUploadState> stored(String id) {
        return storage.read(Paths.uploadState(id), PartUploadState.MAX_BYTES).map(PartUploadState::fromJson);
    }

    private PartUploadState state(String id) {
        return stored(id).orElseThrow(() -> new RegistryException(OciError.BLOB_UPLOAD_UNKNOWN, "no upload " + id));
    }

    /** Reads the stored tail into the start of {@code buffer}; returns its length. */
    private int readTail(String id, PartUploadState state, byte[] buffer) {
        return state.tail().map(key -> storage.read(key, PART).orElseThrow(
                () -> new IllegalStateException("the tail of upload " + id + " is missing")))
                .map(tail -> {
                    System.arraycopy(tail, 0, buffer, 0, tail.length);
                    return tail.length;
                }).orElse(0);
    }

    /**
     * Uploads {@code length} bytes of {@code part} as the next part, numbered after those the state names, so a chunk
     * sent again after a failure writes the same part numbers again.
     */
    private PartUploadState uploadPart(String id, PartUploadState state, byte[] part, int length) {
        if (state.etags().size() == MAX_PARTS) {
            throw new RegistryException(OciError.TOO_LARGE, "an upload to a shared store holds at most "
                    + MAX_PARTS + " parts of " + PART + " bytes");
        }
        String key = Paths.assembledBlob(id);
        String assembly = state.assembly().orElseGet(() -> begin(id, key));
        String etag = parts.uploadPart(key, assembly, state.etags().size() + 1,
                new ByteArrayInputStream(part, 0, length), length);
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
}
