package dev.berth.registry;

import dev.berth.oci.Digest;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/** A blob opened for reading: its digest and size, and its bytes copied out on demand. */
public interface BlobContent extends Closeable {
    Digest digest();

    long size();

    /** Copies {@code length} bytes from {@code offset} to {@code out}. */
    void copyTo(long offset, long length, OutputStream out) throws IOException;
}
