package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.storage.ObjectInfo;
import dev.berth.storage.Storage;
import dev.berth.storage.StorageFullException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Blob uploads in progress: who owns each, one request at a time on each, chunks that start where the upload ends,
 * the size limit, completion into the blob store with the link, and the purge of abandoned ones. Owners live in
 * storage and the bytes in an {@link UploadData}, so an upload survives a restart.
 */
public final class Uploads {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Storage storage;
    private final UploadData data;
    private final long maxUploadBytes;
    private final LinkGuard guard;
    private final UploadLimits limits;
    private final Map<String, Upload> active = new ConcurrentHashMap<>();

    /** {@code maxUploadBytes} of 0 means no limit. */
    Uploads(Storage storage, UploadData data, long maxUploadBytes, LinkGuard guard) {
        this(storage, data, maxUploadBytes, guard, UploadLimits.none());
    }

    /** As the other constructor, with the sessions a client may open capped by {@code limits}. */
    Uploads(Storage storage, UploadData data, long maxUploadBytes, LinkGuard guard, UploadLimits limits) {
        this.storage = storage;
        this.data = data;
        this.maxUploadBytes = maxUploadBytes;
        this.guard = guard;
        this.limits = limits;
    }

    /**
     * Starts an upload for {@code name} and returns its id. It counts against no client's sessions: a monolithic
     * upload, which ends with the request that started it.
     */
    public String start(RepoName name) {
        String id = UUID.randomUUID().toString();
        begin(name, id);
        return id;
    }

    /**
     * Starts an upload session for {@code name} on behalf of {@code client}, who may hold only so many (429 past
     * that), and returns its id.
     */
    public String start(RepoName name, String client) {
        String id = UUID.randomUUID().toString();
        limits.opened(id, client);
        try {
            begin(name, id);
        } catch (RuntimeException e) {
            limits.closed(id);
            throw e;
        }
        limits.stored(id);
        return id;
    }

    private void begin(RepoName name, String id) {
        byte[] owner = name.value().getBytes(StandardCharsets.UTF_8);
        StorageFull.translated(() -> {
            storage.write(Paths.uploadOwner(id), owner);
            data.begin(id);
        });
    }

    /** Bytes received so far. */
    public long size(RepoName name, String id) {
        checkOwner(name, id);
        return data.size(id);
    }

    /**
     * Appends {@code body} to the upload. When the client says where its chunk starts, it must start where the upload
     * ends. Returns the new size.
     */
    public long append(RepoName name, String id, InputStream body, Optional<Long> chunkStart) {
        Upload upload = locked(name, id);
        try {
            return write(id, upload, body, chunkStart);
        } finally {
            upload.lock.unlock();
        }
    }

    /**
     * Appends a last chunk (possibly empty), checks the digest of the whole upload, makes it the blob in the blob store
     * and runs {@code link} there, together, so a garbage collection cannot take the blob in between. The upload is gone
     * afterwards, whether the digest matched or not.
     */
    public void complete(RepoName name, String id, InputStream lastChunk, Optional<Long> chunkStart, Digest expected,
                         Runnable link) {
        Upload upload = locked(name, id);
        try {
            write(id, upload, lastChunk, chunkStart);
            try {
                StorageFull.translated(() -> guard.linking(expected, () -> {
                    data.complete(id, expected);
                    link.run();
                }));
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
        long mark = limits.mark();
        List<String> listed = storage.list(Paths.UPLOADS);
        // Sessions of this instance that another one finished, cancelled or purged free their slots here.
        limits.retainListed(Set.copyOf(listed), mark);
        for (String id : listed) {
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

    private static void checkChunkStart(long size, Optional<Long> chunkStart) {
        if (chunkStart.isPresent() && chunkStart.get() != size) {
            throw new RegistryException(OciError.RANGE_INVALID, "chunk starts at " + chunkStart.get()
                    + " but the upload has " + size + " bytes")
                    .withHeader("Range", UploadSessions.rangeHeader(size));
        }
    }

    /**
     * Deletes the upload, whose lock the caller holds. It leaves {@link #active} only once deleted: until then a
     * request arriving finds this locked entry and waits, rather than making a fresh one and writing meanwhile.
     */
    private void cancel(String id, Upload upload) {
        try {
            data.delete(id);
            storage.deleteAll(Paths.upload(id));
        } finally {
            retire(id, upload);
        }
    }

    /** A request still waiting for the lock then looks the upload up again; the caller holds the lock. */
    private void retire(String id, Upload upload) {
        upload.retired = true;
        active.remove(id, upload);
        limits.closed(id);
    }

    /** Appends a chunk that must start at {@code chunkStart}, within the size limit; the caller holds the lock. */
    private long write(String id, Upload upload, InputStream body, Optional<Long> chunkStart) {
        long size = data.size(id);
        checkChunkStart(size, chunkStart);
        try {
            return data.append(id, maxUploadBytes > 0 ? capped(body, maxUploadBytes - size) : body);
        } catch (StorageFullException e) {
            // Partial bytes would only hold space a client is unlikely to come back for.
            cancel(id, upload);
            throw StorageFull.error(e);
        } catch (RegistryException e) {
            if (e.error() == OciError.TOO_LARGE) {
                cancel(id, upload);
            }
            throw e;
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
     * The upload, locked; its bytes are left to those that write, so cancelling never reads them. The owner
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

    /**
     * One upload in memory. The lock serializes requests on it (purge included); {@code retired} (set under the lock)
     * tells a request that waited for it that the upload is gone.
     */
    private static final class Upload {
        final ReentrantLock lock = new ReentrantLock();
        boolean retired;
    }

    /** A request body that refuses to be read past what the upload limit leaves: TOO_LARGE. */
    private InputStream capped(InputStream body, long left) {
        return new CountedInputStream(body, total -> {
            if (total > left) {
                throw new RegistryException(OciError.TOO_LARGE,
                        "blob exceeds the upload limit of " + maxUploadBytes + " bytes");
            }
        }, total -> { });
    }
}
