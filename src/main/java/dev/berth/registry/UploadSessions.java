package dev.berth.registry;

import dev.berth.oci.Digest;
import java.io.InputStream;
import java.util.Optional;

/** The chunked-upload operations of one repository. */
public interface UploadSessions {
    /**
     * Starts an upload session for {@code client} (an address or a user: whom the cap on open sessions counts it
     * against) and returns its id; 429 TOOMANYREQUESTS when the client or everyone holds as many as allowed.
     */
    String start(String client);

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
