package dev.berth.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Storage#newScratchFile scratch file} open for one writer, which appends, and for any number of readers,
 * which read what is written with positional reads while it grows. The file may be imported meanwhile (renamed into
 * place, or uploaded and deleted): the open channel still reads it. The channel closes once the writer and every
 * reader have {@link #release released} it.
 */
public final class ScratchFile {
    private final Path path;
    private final FileChannel channel;
    /** The writer and the readers holding the channel; 0 once it is closed. */
    private final AtomicInteger holders = new AtomicInteger(1);

    private ScratchFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Opens {@code path} (a scratch file) for its writer, who holds it until {@link #release()}. */
    public static ScratchFile open(Path path) {
        try {
            return new ScratchFile(path, FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file, for {@link Storage#importFile}. */
    public Path path() {
        return path;
    }

    /** Appends bytes; the writer only. A full disk is a {@link StorageFullException}. */
    public void write(byte[] bytes, int offset, int length) throws IOException {
        FileObjectWriter.writeFully(channel, bytes, offset, length);
    }

    /** Reads written bytes from {@code position}; -1 past them. Only while holding the file. */
    public int read(long position, ByteBuffer into) throws IOException {
        return channel.read(into, position);
    }

    /** Holds the channel open for one more reader; false once it is closed (everyone released it). */
    public boolean retain() {
        int n;
        do {
            n = holders.get();
            if (n == 0) {
                return false;
            }
        } while (!holders.compareAndSet(n, n + 1));
        return true;
    }

    /** Lets go of the channel, which closes with the last holder. */
    public void release() throws IOException {
        if (holders.decrementAndGet() == 0) {
            channel.close();
        }
    }

    /** Deletes the file, when it was not imported; readers holding the channel read on. */
    public void delete() throws IOException {
        Files.deleteIfExists(path);
    }
}
