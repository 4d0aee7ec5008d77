package dev.berth.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** An open object: its size, and its bytes from any offset. */
public interface ObjectReader extends Closeable {
    /** The object's size in bytes. */
    long size();

    /** A stream of the object's bytes from {@code offset} to the end. */
    InputStream stream(long offset) throws IOException;

    /** Copies {@code length} bytes from {@code offset} to {@code out}; implementations pick their fastest path. */
    default void copyTo(long offset, long length, OutputStream out) throws IOException {
        try (InputStream in = stream(offset)) {
            byte[] buffer = new byte[256 * 1024];
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
