package dev.berth.registry;

import dev.berth.oci.Digest;
import java.io.InputStream;
import java.util.Optional;

/** The chunked-upload operations of one repository. */
public interface UploadSessions {
    /** Starts an upload and returns its id. */
    String start();

    /** Bytes received so far. */
    long size(String id);

    /** Appends a chunk; returns the new size. */
    long append(String id, InputStream chunk, Optional<Long> chunkStart);

    /** Appends the last chunk, verifies the digest and makes the blob part of the repository. */
    void complete(String id, InputStream lastChunk, Optional<Long> chunkStart, Digest digest);

    /** Abandons the upload. */
    void cancel(String id);

    /** The Range header value that reports {@code size} bytes received. */
    static String rangeHeader(long size) {
        return "0-" + Math.max(0, size - 1);
    }
}
