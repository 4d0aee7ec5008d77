package dev.berth.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** An open object: its size, and its bytes from any offset. */
public interface ObjectReader extends Closeable {
    /**
     * The piece size of {@link #copyTo}: within the 256-512 KiB writes measured fastest, and small beside berth's
     * default 128 MiB heap (100 concurrent downloads hold 25 MiB; under G1, 512 KiB would also be a humongous object).
     */
    int COPY_CHUNK = 256 * 1024;

    /** The object's size in bytes. */
    long size();

    /** A stream of the object's bytes from {@code offset} to the end. */
    InputStream stream(long offset) throws IOException;

    /** Copies {@code length} bytes from {@code offset} to {@code out}, read from {@link #stream} a piece at a time. */
    default void copyTo(long offset, long length, OutputStream out) throws IOException {
        try (InputStream in = stream(offset)) {
            byte[] buffer = new byte[(int) Math.max(1, Math.min(COPY_CHUNK, length))];
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("object ended " + left + " bytes early");
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }
}
