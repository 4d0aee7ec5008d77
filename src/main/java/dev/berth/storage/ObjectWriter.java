package dev.berth.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Bytes on their way into storage. {@link #commit()} makes them durable and visible; closing without a commit aborts a
 * {@link Storage#create created} object (nothing becomes visible) and keeps what an {@link Storage#append append} wrote.
 */
public abstract class ObjectWriter extends OutputStream {
    /** Bytes in the object so far, including any it had before an append. */
    public abstract long size();

    /**
     * Reads back bytes this writer has already written, from {@code position}, for readers that follow an object while
     * it is being written. Returns the count read, -1 at the end of what is written so far. Valid until commit or
     * close; another thread may call it while this writer writes.
     */
    public abstract int readBack(long position, ByteBuffer target) throws IOException;

    /** Flushes, syncs to stable storage and, for a created object, moves it into place atomically. */
    public abstract void commit() throws IOException;

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }
}
