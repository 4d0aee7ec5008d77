package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.storage.ObjectInfo;
import dev.berth.storage.ObjectReader;
import dev.berth.storage.Storage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/** The global content-addressed store: a blob is written once, verified, and then immutable. */
public final class BlobStore {
    private final Storage storage;

    public BlobStore(Storage storage) {
        this.storage = storage;
    }

    /** The blob's size, when it is stored. */
    public Optional<Long> size(Digest digest) {
        return storage.stat(Paths.blob(digest)).map(ObjectInfo::size);
    }

    /** Opens the blob, when it is stored. */
    public Optional<BlobContent> open(Digest digest) {
        return storage.open(Paths.blob(digest)).map(reader -> new StoredBlob(digest, reader));
    }

    /** Reads a small blob (a manifest) whole. */
    public Optional<byte[]> read(Digest digest, int maxBytes) {
        return storage.read(Paths.blob(digest), maxBytes);
    }

    /** Stores small content whose digest the caller has computed. */
    public void put(Digest digest, byte[] content) {
        if (size(digest).isEmpty()) {
            storage.write(Paths.blob(digest), content);
        }
    }

    /** Records that the blob's bytes are the object at {@code key} (an upload assembled where it was written). */
    void locate(Digest digest, String key) {
        storage.write(Paths.blobLocation(digest), key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A writer that hashes as it writes and makes the blob visible only when it matches {@code expected}. */
    public BlobWriter writer(Digest expected) {
        return new BlobWriter(storage.create(Paths.blob(expected)), expected);
    }

    /** Moves a fully written and verified file (an upload's data) into place as {@code digest}. */
    void adopt(String key, Digest digest) {
        if (size(digest).isPresent()) {
            storage.delete(key);
        } else if (!storage.move(key, Paths.blob(digest))) {
            throw new RegistryException(OciError.BLOB_UPLOAD_UNKNOWN, "upload data vanished before it was stored");
        }
    }

    /** Removes the blob from the store. */
    public boolean delete(Digest digest) {
        return storage.delete(Paths.blob(digest));
    }

    private record StoredBlob(Digest digest, ObjectReader reader) implements BlobContent {
        @Override
        public long size() {
            return reader.size();
        }

        @Override
        public void copyTo(long offset, long length, OutputStream out) throws IOException {
            reader.copyTo(offset, length, out);
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
