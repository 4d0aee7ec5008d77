package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.ObjectInfo;
import dev.berth.storage.ObjectReader;
import dev.berth.storage.ObjectWriter;
import dev.berth.storage.StorageFullException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Uploads in files of the data directory: each one's bytes are appended to {@code uploads/<id>/data}, its running
 * sha256 lives in memory, so each byte is hashed once as it arrives, and completing moves the file to the blob's key.
 * After a restart (or a write that broke off) the hash is rebuilt from the stored bytes by the next request that
 * needs it.
 */
public final class FileUploadData implements UploadData {
    private static final int COPY_BUFFER = 256 * 1024;

    private final FileSystemStorage files;
    private final BlobStore blobs;
    private final Map<String, Hash> hashes = new ConcurrentHashMap<>();

    public FileUploadData(FileSystemStorage files) {
        this.files = files;
        this.blobs = new BlobStore(files);
    }

    @Override
    public void begin(String id) {
        hashes.put(id, new Hash(Digest.newHasher("sha256"), 0));
    }

    @Override
    public long size(String id) {
        return files.stat(Paths.uploadData(id)).map(ObjectInfo::size).orElse(0L);
    }

    @Override
    public long append(String id, InputStream chunk) {
        Hash hash = hashes.computeIfAbsent(id, key -> hashStored(key, "sha256"));
        byte[] buffer = new byte[COPY_BUFFER];
        boolean written = false;
        try (ObjectWriter out = files.append(Paths.uploadData(id))) {
            int n;
            while ((n = chunk.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                hash.hasher.update(buffer, 0, n);
                hash.size += n;
            }
            out.commit();
            written = true;
            return hash.size;
        } catch (StorageFullException e) {
            throw e;
        } catch (IOException | UncheckedIOException e) {
            throw new RegistryException(OciError.BLOB_UPLOAD_INVALID, "upload interrupted: " + e.getMessage(), e);
        } finally {
            if (!written) {
                // The stored bytes and the in-memory hash may now disagree: rebuild from storage next time.
                hashes.remove(id);
            }
        }
    }

    @Override
    public void complete(String id, Digest expected) {
        Digest actual = expected.algorithm().equals("sha256")
                ? Digest.of(hashes.computeIfAbsent(id, key -> hashStored(key, "sha256")).hasher.digest(), "sha256")
                : Digest.of(hashStored(id, expected.algorithm()).hasher.digest(), expected.algorithm());
        hashes.remove(id);
        if (!actual.equals(expected)) {
            throw new RegistryException(OciError.DIGEST_INVALID,
                    "uploaded content has digest " + actual + ", not " + expected);
        }
        String data = Paths.uploadData(id);
        if (blobs.size(expected).isPresent()) {
            files.delete(data);
        } else if (files.stat(data).isEmpty()) {
            // An empty upload has no file: the empty blob is written rather than moved.
            files.write(Paths.blob(expected), new byte[0]);
        } else if (!files.move(data, Paths.blob(expected))) {
            throw new RegistryException(OciError.BLOB_UPLOAD_UNKNOWN, "upload data vanished before it was stored");
        }
    }

    @Override
    public void delete(String id) {
        hashes.remove(id);
        files.delete(Paths.uploadData(id));
    }

    private Hash hashStored(String id, String algorithm) {
        MessageDigest hasher = Digest.newHasher(algorithm);
        long size = 0;
        Optional<ObjectReader> reader = files.open(Paths.uploadData(id));
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
