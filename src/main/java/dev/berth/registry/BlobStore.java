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
    private final Optional<Duration> redirects;

    /** Blobs in {@code storage}, always served by berth. */
    public BlobStore(Storage storage) {
        this(storage, Optional.empty());
    }

    /** Blobs in {@code storage}; with {@code redirects}, opened blobs offer presigned URLs valid that long. */
    public BlobStore(Storage storage, Optional<Duration> redirects) {
        this.storage = storage;
        this.redirects = redirects;
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
        return resolved(digest, storage::open).map(reader -> new StoredBlob(digest, reader, this));
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
     * Records that the blob's bytes are the object at {@code dataKey}, which an upload assembled under
     * {@link Paths#assembled()}; the blob is stored from then on, once that object exists. For stores whose objects
     * cannot be moved to the canonical key.
     */
    void recordLocation(Digest digest, String dataKey) {
        if (!isAssembled(dataKey)) {
            throw new IllegalArgumentException(dataKey + " is not an assembled upload");
        }
        storage.write(Paths.blobLocation(digest), (dataKey + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the blob from the store: its bytes, its location record and what that names, its whole directory. */
    public boolean delete(Digest digest) {
        boolean stored = stat(digest).isPresent();
        Optional<String> located = location(digest);
        storage.deleteAll(Paths.blobDirectory(digest));
        located.ifPresent(storage::delete);
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
                .filter(BlobStore::isAssembled);
    }

    private static boolean isAssembled(String key) {
        return key.startsWith(Paths.assembled() + "/");
    }

    private record StoredBlob(Digest digest, ObjectReader reader, BlobStore store) implements BlobContent {
        @Override
        public Optional<URI> redirect() {
            return store.redirects.flatMap(ttl -> store.presign(digest, ttl));
        }

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
