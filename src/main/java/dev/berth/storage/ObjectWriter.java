package dev.berth.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Bytes on their way into storage. {@link #commit()} makes them durable and visible; closing without a commit aborts
 * a {@link Storage#create created} object: nothing becomes visible.
 */
public abstract class ObjectWriter extends OutputStream {
    /** Bytes in the object so far. */
    public abstract long size();

    /** Flushes, syncs to stable storage and makes the object visible, atomically. */
    public abstract void commit() throws IOException;

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }
}
