package dev.berth.registry;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.storage.ScratchFile;
import dev.berth.storage.Storage;
import dev.berth.storage.StorageFullException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * A blob on its way into the store from elsewhere (an upstream): hashed as it arrives and spooled to a local scratch
 * file, two steps that may run on two threads (the hash need not wait for the disk), readable while it grows, checked
 * against its digest, and only then imported into the store, durably and atomically. Readers {@link #retain} the spool and read it to the end even after the import (which renames or
 * deletes the file). Closing without an import deletes the scratch file: nothing becomes visible.
 */
public final class BlobSpool implements AutoCloseable {
    private final Storage storage;
    private final Digest expected;
    private final MessageDigest hasher;
    private final ScratchFile scratch;
    private Digest actual;
    private boolean imported;

    BlobSpool(Storage storage, Digest expected) {
        this.storage = storage;
        this.expected = expected;
        this.hasher = expected.newHasher();
        this.scratch = ScratchFile.open(StorageFull.translated(storage::newScratchFile));
    }

    /** Hashes the next bytes of the blob, in order; one thread only. */
    public void hash(byte[] bytes, int offset, int length) {
        hasher.update(bytes, offset, length);
    }

    /** Appends the next bytes of the blob to the file, in order; one thread only (maybe not the hash's). */
    public void write(byte[] bytes, int offset, int length) throws IOException {
        try {
            scratch.write(bytes, offset, length);
        } catch (StorageFullException e) {
            throw StorageFull.error(e);
        }
    }

    /** Reads bytes written so far from {@code position}; -1 past them. Only between {@link #retain} and release. */
    public int read(long position, ByteBuffer into) throws IOException {
        return scratch.read(position, into);
    }

    /** Keeps the spool readable for one more reader until its {@link #release}; false once nobody holds it. */
    public boolean retain() {
        return scratch.retain();
    }

    /** One reader is done. */
    public void release() throws IOException {
        scratch.release();
    }

    /** Checks the bytes hashed against the digest: DIGEST_INVALID when they differ. The hashing thread, once done. */
    public void verify() {
        if (actual == null) {
            actual = Digest.of(hasher.digest(), expected.algorithm());
        }
        if (!actual.equals(expected)) {
            throw new RegistryException(OciError.DIGEST_INVALID,
                    "content digest " + actual + " does not match " + expected);
        }
    }

    /**
     * Verifies, then imports the bytes as the blob: synced, and visible whole or not at all. Only once every byte
     * hashed is written.
     */
    public void commit() {
        verify();
        StorageFull.translated(() -> storage.importFile(Paths.blob(expected), scratch.path()));
        imported = true;
    }

    /** The writer is done: the spool stays readable for readers still holding it. */
    @Override
    public void close() throws IOException {
        try {
            if (!imported) {
                scratch.delete();
            }
        } finally {
            scratch.release();
        }
    }
}
