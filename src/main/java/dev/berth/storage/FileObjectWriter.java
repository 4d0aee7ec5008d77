package dev.berth.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an object of {@link FileSystemStorage} through a channel: a created one to a temporary file ({@code temp})
 * that commit syncs and renames into place, or an appended one in place ({@code temp} null), which commit syncs.
 */
final class FileObjectWriter extends ObjectWriter {
    private final FileChannel channel;
    private final Path temp;
    private final Path target;
    private long size;
    private boolean done;

    FileObjectWriter(FileChannel channel, long initialSize, Path temp, Path target) {
        this.channel = channel;
        this.size = initialSize;
        this.temp = temp;
        this.target = target;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        writeFully(channel, bytes, offset, length);
        size += length;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void commit() throws IOException {
        try {
            channel.force(false);
            if (temp != null) {
                channel.close();
                FileSystemStorage.moveIntoPlace(temp, target);
            }
        } catch (IOException e) {
            // A filesystem may report a full disk only when the written pages are flushed.
            throw full(e);
        }
        done = true;
    }

    @Override
    public void close() throws IOException {
        // commit() closes the channel before the rename, so a failed rename leaves it closed: the temporary
        // file goes whenever the object was not committed, whatever the channel's state.
        try {
            channel.close();
        } finally {
            if (temp != null && !done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Writes all of {@code length} bytes at the channel's position; a full disk is a {@link StorageFullException}. */
    static void writeFully(FileChannel channel, byte[] bytes, int offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw full(e);
        }
    }

    /** Rethrows a full disk as {@link StorageFullException}, anything else as it is. */
    private static IOException full(IOException e) {
        if (StorageFullException.isFull(e)) {
            throw new StorageFullException(e);
        }
        return e;
    }
}
