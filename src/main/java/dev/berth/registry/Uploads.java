package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.storage.ObjectInfo;
import dev.berth.storage.ObjectReader;
import dev.berth.storage.ObjectWriter;
import dev.berth.storage.Storage;
import dev.berth.storage.StorageFullException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Blob uploads in progress. Their bytes and owner live in storage, so an upload survives a restart; the running
 * sha256 lives in memory and is rebuilt from the stored bytes when a write needs it and it is missing, so the normal
 * path hashes each byte once.
 */
public final class Uploads {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int COPY_BUFFER = 256 * 1024;

    private final Storage storage;
    private final BlobStore blobs;
    private final long maxUploadBytes;
    private final LinkGuard guard;
    private final Map<String, Upload> active = new ConcurrentHashMap<>();

    /** {@code maxUploadBytes} of 0 means no limit. */
    Uploads(Storage storage, BlobStore blobs, long maxUploadBytes, LinkGuard guard) {
        this.storage = storage;
        this.blobs = blobs;
        this.maxUploadBytes = maxUploadBytes;
        this.guard = guard;
    }

    /** Starts an upload for {@code name} and returns its id. */
    public String start(RepoName name) {
        String id = UUID.randomUUID().toString();
        byte[] owner = name.value().getBytes(StandardCharsets.UTF_8);
        StorageFull.translated(() -> storage.write(Paths.uploadOwner(id), owner));
        Upload upload = new Upload();
        upload.hash = new Hash(Digest.newHasher("sha256"), 0);
        active.put(id, upload);
        return id;
    }

    /** Bytes received so far. */
    public long size(RepoName name, String id) {
        checkOwner(name, id);
        return storage.stat(Paths.uploadData(id)).map(ObjectInfo::size).orElse(0L);
    }

    /**
     * Appends {@code body} to the upload. When the client says where its chunk starts, it must start where the upload
     * ends. Returns the new size.
     */
    public long append(RepoName name, String id, InputStream body, Optional<Long> chunkStart) {
        Upload upload = locked(name, id);
        try {
            Hash hash = hash(id, upload);
            checkChunkStart(hash, chunkStart);
            return write(id, upload, hash, body);
        } finally {
            upload.lock.unlock();
        }
    }

    /**
     * Appends a last chunk (possibly empty), checks the digest of the whole upload, moves it into the blob store and
     * runs {@code link} there, together, so a garbage collection cannot take the blob in between. The upload is gone
     * afterwards, whether the digest matched or not.
     */
    public void complete(RepoName name, String id, InputStream lastChunk, Optional<Long> chunkStart, Digest expected,
                         Runnable link) {
        Upload upload = locked(name, id);
        try {
            Hash hash = hash(id, upload);
            checkChunkStart(hash, chunkStart);
            write(id, upload, hash, lastChunk);
            Digest actual = expected.algorithm().equals("sha256")
                    ? Digest.of(hash.hasher.digest(), "sha256")
                    : Digest.of(hashStored(id, expected.algorithm()).hasher.digest(), expected.algorithm());
            if (!actual.equals(expected)) {
                cancel(id, upload);
                throw new RegistryException(OciError.DIGEST_INVALID,
                        "uploaded content has digest " + actual + ", not " + expected);
            }
            try {
                StorageFull.translated(() -> {
                    if (storage.stat(Paths.uploadData(id)).isEmpty()) {
                        storage.write(Paths.uploadData(id), new byte[0]);
                    }
                    guard.linking(expected, () -> {
                        blobs.adopt(Paths.uploadData(id), expected);
                        link.run();
                    });
                });
            } finally {
                cancel(id, upload);
            }
        } finally {
            upload.lock.unlock();
        }
    }

    /** Abandons the upload and deletes its bytes. */
    public void cancel(RepoName name, String id) {
        Upload upload = locked(name, id);
        try {
            cancel(id, upload);
        } finally {
            upload.lock.unlock();
        }
    }

    /** Deletes uploads started longer than {@code maxAge} ago; returns how many. */
    public int purge(Duration maxAge, Instant now) {
        int purged = 0;
        for (String id : storage.list(Paths.UPLOADS)) {
            if (!ID.matcher(id).matches()) {
                continue;
            }
            Optional<ObjectInfo> owner = storage.stat(Paths.uploadOwner(id));
            if (owner.isEmpty() || owner.get().modified().plus(maxAge).isBefore(now)) {
                // The lock a request takes, so a chunk arriving meanwhile waits and then finds the upload gone. Held
                // means the upload is being written to right now, so not abandoned; the next purge looks again.
                Upload upload = active.computeIfAbsent(id, key -> new Upload());
                if (!upload.lock.tryLock()) {
                    continue;
                }
                try {
                    if (upload.retired) {
                        // Completed or cancelled between the owner check and the lock.
                        continue;
                    }
                    cancel(id, upload);
                } finally {
                    upload.lock.unlock();
                }
                purged++;
            }
        }
        return purged;
    }

    private static void checkChunkStart(Hash hash, Optional<Long> chunkStart) {
        if (chunkStart.isPresent() && chunkStart.get() != hash.size) {
            throw new RegistryException(OciError.RANGE_INVALID, "chunk starts at " + chunkStart.get()
                    + " but the upload has " + hash.size + " bytes")
                    .withHeader("Range", UploadSessions.rangeHeader(hash.size));
        }
    }

    /**
     * Deletes the upload, whose lock the caller holds. It leaves {@link #active} only once deleted: until then a
     * request arriving finds this locked entry and waits, rather than making a fresh one and writing meanwhile.
     */
    private void cancel(String id, Upload upload) {
        try {
            storage.deleteAll(Paths.upload(id));
        } finally {
            retire(id, upload);
        }
    }

    /** A request still waiting for the lock then looks the upload up again; the caller holds the lock. */
    private void retire(String id, Upload upload) {
        upload.retired = true;
        active.remove(id, upload);
    }

    /** The upload's running sha256, rebuilt from the stored bytes if missing; the caller holds the lock. */
    private Hash hash(String id, Upload upload) {
        if (upload.hash == null) {
            upload.hash = hashStored(id, "sha256");
        }
        return upload.hash;
    }

    private long write(String id, Upload upload, Hash hash, InputStream body) {
        byte[] buffer = new byte[COPY_BUFFER];
        try (ObjectWriter out = storage.append(Paths.uploadData(id))) {
            int n;
            while ((n = body.read(buffer)) > 0) {
                if (maxUploadBytes > 0 && hash.size + n > maxUploadBytes) {
                    out.commit();
                    cancel(id, upload);
                    throw new RegistryException(OciError.TOO_LARGE,
                            "blob exceeds the upload limit of " + maxUploadBytes + " bytes");
                }
                out.write(buffer, 0, n);
                hash.hasher.update(buffer, 0, n);
                hash.size += n;
            }
            out.commit();
            return hash.size;
        } catch (StorageFullException e) {
            // Partial bytes would only hold space a client is unlikely to come back for.
            cancel(id, upload);
            throw StorageFull.error(e);
        } catch (IOException | UncheckedIOException e) {
            // The stored bytes and the in-memory hash may now disagree: rebuild from storage next time.
            upload.hash = null;
            throw new RegistryException(OciError.BLOB_UPLOAD_INVALID, "upload interrupted: " + e.getMessage(), e);
        }
    }

    private void checkOwner(RepoName name, String id) {
        if (!ID.matcher(id).matches()) {
            throw new RegistryException(OciError.BLOB_UPLOAD_UNKNOWN, "invalid upload id");
        }
        Optional<byte[]> owner = storage.read(Paths.uploadOwner(id), 1024);
        if (owner.isEmpty() || !new String(owner.get(), StandardCharsets.UTF_8).equals(name.value())) {
            throw new RegistryException(OciError.BLOB_UPLOAD_UNKNOWN, "no upload " + id + " for " + name);
        }
    }

    /**
     * The upload, locked; its hash is left to those that write, so cancelling never reads the stored bytes. The owner
     * is checked again once the lock is held: a request that waited while another completed, cancelled or purged the
     * upload must not write to it.
     */
    private Upload locked(RepoName name, String id) {
        while (true) {
            checkOwner(name, id);
            Upload upload = active.computeIfAbsent(id, key -> new Upload());
            upload.lock.lock();
            if (!upload.retired) {
                try {
                    checkOwner(name, id);
                    return upload;
                } catch (RuntimeException e) {
                    // Made for an upload that was deleted meanwhile.
                    retire(id, upload);
                    upload.lock.unlock();
                    throw e;
                }
            }
            // Retired while this request waited: look the upload up again (gone by now).
            upload.lock.unlock();
        }
    }

    private Hash hashStored(String id, String algorithm) {
        MessageDigest hasher = Digest.newHasher(algorithm);
        long size = 0;
        Optional<ObjectReader> reader = storage.open(Paths.uploadData(id));
        if (reader.isPresent()) {
            try (ObjectReader r = reader.get(); InputStream in = r.stream(0)) {
                byte[] buffer = new byte[COPY_BUFFER];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    hasher.update(buffer, 0, n);
                    size += n;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Hash(hasher, size);
    }

    /**
     * One upload in memory. The lock serializes requests on it (purge included); {@code retired} (set under the lock)
     * tells a request that waited for it that the upload is gone; {@code hash} (read and written under the lock) is
     * null after a restart or an interrupted write, until a write needs it.
     */
    private static final class Upload {
        final ReentrantLock lock = new ReentrantLock();
        boolean retired;
        Hash hash;
    }

    /** A running hash and the number of bytes it covers. */
    private static final class Hash {
        final MessageDigest hasher;
        long size;

        Hash(MessageDigest hasher, long size) {
            this.hasher = hasher;
            this.size = size;
        }
    }
}
