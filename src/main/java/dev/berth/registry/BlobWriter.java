package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.storage.ObjectWriter;
import dev.berth.storage.StorageFullException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * Bytes on their way into the blob store, hashed as they are written. {@link #commit()} checks the digest before the
 * blob becomes visible; closing without a commit leaves nothing behind.
 */
public final class BlobWriter extends OutputStream {
    private final ObjectWriter target;
    private final Digest expected;
    private final MessageDigest hasher;

    BlobWriter(ObjectWriter target, Digest expected) {
        this.target = target;
        this.expected = expected;
        this.hasher = expected.newHasher();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        try {
            target.write(bytes, offset, length);
        } catch (StorageFullException e) {
            throw StorageFull.error(e);
        }
        hasher.update(bytes, offset, length);
    }

    /** Bytes written so far. */
    public long size() {
        return target.size();
    }

    /** Reads back bytes already written, for readers that follow the blob while it arrives; -1 past the end. */
    public int readBack(long position, ByteBuffer into) throws IOException {
        return target.readBack(position, into);
    }

    /** Verifies the digest and makes the blob visible; a mismatch throws DIGEST_INVALID and stores nothing. */
    public Digest commit() throws IOException {
        Digest actual = Digest.of(hasher.digest(), expected.algorithm());
        if (!actual.equals(expected)) {
            target.close();
            throw new RegistryException(OciError.DIGEST_INVALID,
                    "content digest " + actual + " does not match " + expected);
        }
        try {
            target.commit();
        } catch (StorageFullException e) {
            throw StorageFull.error(e);
        }
        return actual;
    }

    @Override
    public void close() throws IOException {
        target.close();
    }
}
