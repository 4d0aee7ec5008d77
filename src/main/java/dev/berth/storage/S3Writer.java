package dev.berth.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Streams an object into S3 holding at most one part in memory: each part goes up as the next byte arrives past it, as a
 * part of a multipart upload that {@link #commit()} completes. An object that fits in one part is one PutObject at
 * commit. Nothing is visible before commit; closing without one aborts the multipart upload.
 */
final class S3Writer extends ObjectWriter {
    /** The first buffer: small objects (tags, links, manifests) never hold a whole part. */
    private static final int FIRST_BUFFER = 64 * 1024;

    private final S3Storage store;
    private final String key;
    private final int partSize;
    private final List<String> etags = new ArrayList<>();
    private byte[] buffer;
    private int filled;
    private long size;
    private String assembly;
    private boolean finished;

    S3Writer(S3Storage store, String key, int partSize) {
        this.store = store;
        this.key = key;
        this.partSize = partSize;
        this.buffer = new byte[Math.min(FIRST_BUFFER, partSize)];
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (finished) {
            throw new IOException("S3 object " + key + " is already committed or closed");
        }
        while (length > 0) {
            if (filled == partSize) {
                // More bytes past a full part: it is not the last, so it can go.
                uploadBuffer();
            }
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(partSize, buffer.length * 2));
            }
            int n = Math.min(length, buffer.length - filled);
            System.arraycopy(bytes, offset, buffer, filled, n);
            filled += n;
            size += n;
            offset += n;
            length -= n;
        }
    }

    private void uploadBuffer() {
        if (assembly == null) {
            assembly = store.begin(key);
        }
        etags.add(store.uploadPart(key, assembly, etags.size() + 1, body()));
        filled = 0;
    }

    /** The buffered bytes, readable again for a retry, without a copy. */
    private RequestBody body() {
        byte[] bytes = buffer;
        int length = filled;
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                "application/octet-stream");
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void commit() throws IOException {
        if (finished) {
            throw new IOException("S3 object " + key + " is already committed or closed");
        }
        if (assembly == null) {
            store.put(key, body());
        } else {
            uploadBuffer();
            store.complete(key, assembly, etags);
        }
        finished = true;
        buffer = null;
    }

    @Override
    public void close() {
        boolean abort = !finished && assembly != null;
        finished = true;
        buffer = null;
        if (abort) {
            store.abort(key, assembly);
        }
    }
}
