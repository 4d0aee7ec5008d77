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
 * sha256 lives in memory and is rebuilt from the stored bytes when missing, so the normal path hashes each byte once.
 */
public final class Uploads {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int COPY_BUFFER = 256 * 1024;

    private final Storage storage;
    private final BlobStore blobs;
    private final long maxUploadBytes;
    private final LinkGuard guard;
    private final Map<String, State> states = new ConcurrentHashMap<>();

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
        states.put(id, new State(Digest.newHasher("sha256"), 0));
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
        State state = locked(name, id);
        try {
            checkChunkStart(state, chunkStart);
            return write(id, state, body);
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Appends a last chunk (possibly empty), checks the digest of the whole upload, moves it into the blob store and
     * runs {@code link} there, together, so a garbage collection cannot take the blob in between. The upload is gone
     * afterwards, whether the digest matched or not.
     */
    public void complete(RepoName name, String id, InputStream lastChunk, Optional<Long> chunkStart, Digest expected,
                         Runnable link) {
        State state = locked(name, id);
        try {
            checkChunkStart(state, chunkStart);
            write(id, state, lastChunk);
            Digest actual = expected.algorithm().equals("sha256")
                    ? Digest.of(state.hasher.digest(), "sha256")
                    : Digest.of(hashStored(id, expected.algorithm()).hasher.digest(), expected.algorithm());
            if (!actual.equals(expected)) {
                cancel(id);
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
                cancel(id);
            }
        } finally {
            state.lock.unlock();
        }
    }

    /** Abandons the upload and deletes its bytes. */
    public void cancel(RepoName name, String id) {
        State state = locked(name, id);
        try {
            cancel(id);
        } finally {
            state.lock.unlock();
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
                // An upload being written to right now is not abandoned; the next purge looks again.
                State state = states.get(id);
                if (state != null && !state.lock.tryLock()) {
                    continue;
                }
                try {
                    cancel(id);
                } finally {
                    if (state != null) {
                        state.lock.unlock();
                    }
                }
                purged++;
            }
        }
        return purged;
    }

    private static void checkChunkStart(State state, Optional<Long> chunkStart) {
        if (chunkStart.isPresent() && chunkStart.get() != state.size) {
            throw new RegistryException(OciError.RANGE_INVALID, "chunk starts at " + chunkStart.get()
                    + " but the upload has " + state.size + " bytes")
                    .withHeader("Range", UploadSessions.rangeHeader(state.size));
        }
    }

    /** Deletes the upload; callers hold its state's lock, if it has one, so no writer is part way through. */
    private void cancel(String id) {
        retire(id);
        storage.deleteAll(Paths.upload(id));
    }

    /** Drops the in-memory state; a request still waiting for its lock then looks the upload up again. */
    private void retire(String id) {
        State state = states.remove(id);
        if (state != null) {
            state.retired = true;
        }
    }

    private long write(String id, State state, InputStream body) {
        byte[] buffer = new byte[COPY_BUFFER];
        try (ObjectWriter out = storage.append(Paths.uploadData(id))) {
            int n;
            while ((n = body.read(buffer)) > 0) {
                if (maxUploadBytes > 0 && state.size + n > maxUploadBytes) {
                    out.commit();
                    cancel(id);
                    throw new RegistryException(OciError.TOO_LARGE,
                            "blob exceeds the upload limit of " + maxUploadBytes + " bytes");
                }
                out.write(buffer, 0, n);
                state.hasher.update(buffer, 0, n);
                state.size += n;
            }
            out.commit();
            return state.size;
        } catch (StorageFullException e) {
            // Partial bytes would only hold space a client is unlikely to come back for.
            cancel(id);
            throw StorageFull.error(e);
        } catch (IOException | UncheckedIOException e) {
            // The stored bytes and the in-memory hash may now disagree: rebuild from storage next time.
            retire(id);
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
     * The upload's state, locked. The owner is checked again once the lock is held: a request that waited while
     * another completed or cancelled the upload must not write to it (nor rebuild a state for its deleted bytes).
     */
    private State locked(RepoName name, String id) {
        while (true) {
            checkOwner(name, id);
            State state = states.computeIfAbsent(id, key -> hashStored(key, "sha256"));
            state.lock.lock();
            if (!state.retired) {
                try {
                    checkOwner(name, id);
                    return state;
                } catch (RuntimeException e) {
                    // Rebuilt from an upload that was deleted meanwhile.
                    state.retired = true;
                    states.remove(id, state);
                    state.lock.unlock();
                    throw e;
                }
            }
            // Retired while this request waited: look the upload up again (gone, or a fresh state after an error).
            state.lock.unlock();
        }
    }

    private State hashStored(String id, String algorithm) {
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
        return new State(hasher, size);
    }

    /**
     * The running hash of one upload and the bytes it covers; the lock serializes writers of the upload, and
     * {@code retired} (set under the lock) tells a writer that waited for it that this state is no longer the upload's.
     */
    private static final class State {
        final MessageDigest hasher;
        final ReentrantLock lock = new ReentrantLock();
        long size;
        boolean retired;

        State(MessageDigest hasher, long size) {
            this.hasher = hasher;
            this.size = size;
        }
    }
}
