package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.storage.ObjectInfo;
import dev.berth.storage.ObjectReader;
import dev.berth.storage.Storage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The global content-addressed store: a blob is written once, verified, and then immutable. Its bytes are at the
 * blob's canonical key or, in a store that cannot move an object there (an object store completing a multipart
 * upload), in a data object of the blob's directory that the blob's location record names (see {@link Paths}).
 * Every read, size and delete of a blob resolves it here.
 */
public final class BlobStore {
    /** More than any key {@link Paths} builds. */
    private static final int MAX_RECORD_BYTES = 2048;

    private final Storage storage;

    public BlobStore(Storage storage) {
        this.storage = storage;
    }

    /** The blob's size and when it was stored, when it is stored. */
    public Optional<ObjectInfo> stat(Digest digest) {
        return resolved(digest, storage::stat);
    }

    /** The blob's size, when it is stored. */
    public Optional<Long> size(Digest digest) {
        return stat(digest).map(ObjectInfo::size);
    }

    /** Opens the blob, when it is stored. */
    public Optional<BlobContent> open(Digest digest) {
        return resolved(digest, storage::open).map(reader -> new StoredBlob(digest, reader));
    }

    /** Reads a small blob (a manifest) whole. */
    public Optional<byte[]> read(Digest digest, int maxBytes) {
        return resolved(digest, key -> storage.read(key, maxBytes));
    }

    /** A URL that lets a client read the blob for {@code ttl}, when it is stored and the store can sign one. */
    public Optional<URI> presign(Digest digest, Duration ttl) {
        return resolved(digest, key -> storage.stat(key).map(info -> key)).flatMap(key -> storage.presign(key, ttl));
    }

    /** Stores small content whose digest the caller has computed. */
    public void put(Digest digest, byte[] content) {
        if (size(digest).isEmpty()) {
            storage.write(Paths.blob(digest), content);
        }
    }

    /**
     * A spool for a blob that arrives from elsewhere: a local scratch file, hashed as it is written and readable
     * meanwhile, imported at the blob's key only once it matches {@code expected}.
     */
    public BlobSpool spool(Digest expected) {
        return new BlobSpool(storage, expected);
    }

    /**
     * Records that the blob's bytes are the object at {@code dataKey}, which must lie in the blob's directory
     * ({@link Paths#blobDirectory}); the blob is stored from then on. For stores whose data objects cannot be moved to
     * the canonical key.
     */
    void recordLocation(Digest digest, String dataKey) {
        if (!inDirectory(digest, dataKey)) {
            throw new IllegalArgumentException(dataKey + " is not in the directory of " + digest);
        }
        storage.write(Paths.blobLocation(digest), (dataKey + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the blob from the store: its bytes, its location record, its whole directory. */
    public boolean delete(Digest digest) {
        boolean stored = stat(digest).isPresent();
        storage.deleteAll(Paths.blobDirectory(digest));
        return stored;
    }

    /** {@code operation} on the canonical key, or else on the key the location record names. */
    private <T> Optional<T> resolved(Digest digest, Function<String, Optional<T>> operation) {
        return operation.apply(Paths.blob(digest)).or(() -> location(digest).flatMap(operation));
    }

    /** The data key that the blob's location record names; a record naming a key elsewhere is not berth's. */
    private Optional<String> location(Digest digest) {
        return storage.read(Paths.blobLocation(digest), MAX_RECORD_BYTES)
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8).strip())
                .filter(key -> inDirectory(digest, key));
    }

    private static boolean inDirectory(Digest digest, String key) {
        return key.startsWith(Paths.blobDirectory(digest) + "/") && !key.equals(Paths.blobLocation(digest));
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
