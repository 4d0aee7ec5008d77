package dev.berth.registry;

import dev.berth.oci.Digest;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Optional;

/** A blob opened for reading: its digest and size, and its bytes copied out on demand. */
public interface BlobContent extends Closeable {
    Digest digest();

    long size();

    /** Copies {@code length} bytes from {@code offset} to {@code out}. */
    void copyTo(long offset, long length, OutputStream out) throws IOException;

    /**
     * Where the client may fetch the bytes itself instead (a presigned URL of the store), when the store signs one and
     * redirects are on; empty: berth sends them.
     */
    default Optional<URI> redirect() {
        return Optional.empty();
    }

    /**
     * Told, before size(), the Range header a client sent, so that content still on its way can start fetching that
     * range at once; nothing by default.
     */
    default void rangeAsked(String range) {
    }
}
