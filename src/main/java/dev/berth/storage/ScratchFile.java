package dev.berth.storage;

import com.sun.nio.file.ExtendedOpenOption;
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
 *
 * <p>Where the filesystem allows it, whole blocks are written with direct I/O (O_DIRECT), past the page cache: on a
 * machine whose memory is fresh (a new VM, where every new page of cache costs the hypervisor a fault) writing a
 * download through the cache costs several times the disk's own rate, and a cold blob read once should not push hot
 * ones out of the cache either. Readers read through the cache as usual; the kernel keeps the two views coherent.
 */
public final class ScratchFile {
    private final Path path;
    private final FileChannel channel;
    /** The same file opened for direct I/O, or null where the filesystem refuses it (tmpfs, a pipe). */
    private FileChannel direct;
    private final int block;
    private long size;
    /** The writer and the readers holding the channel; 0 once it is closed. */
    private final AtomicInteger holders = new AtomicInteger(1);

    private ScratchFile(Path path, FileChannel channel, FileChannel direct, int block) {
        this.path = path;
        this.channel = channel;
        this.direct = direct;
        this.block = block;
    }

    /** Opens {@code path} (a scratch file) for its writer, who holds it until {@link #release()}. */
    public static ScratchFile open(Path path) {
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.READ);
            int block = 0;
            FileChannel direct = null;
            try {
                block = Math.toIntExact(Files.getFileStore(path).getBlockSize());
                direct = FileChannel.open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            } catch (IOException | UnsupportedOperationException | ArithmeticException e) {
                // Written through the page cache instead.
            }
            return new ScratchFile(path, channel, direct, block);
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
        if (direct == null) {
            FileObjectWriter.writeFully(channel, bytes, offset, length);
        } else if (size % block == 0 && length % block == 0) {
            try {
                FileObjectWriter.writeFully(direct, size, bytes, offset, length);
            } catch (IOException e) {
                // A filesystem that opens for direct I/O but refuses the write: through the cache from now on.
                direct.close();
                direct = null;
                FileObjectWriter.writeFully(channel, size, bytes, offset, length);
            }
        } else {
            // A tail that is not a whole block goes through the cache, at its position (the channels have their own).
            FileObjectWriter.writeFully(channel, size, bytes, offset, length);
        }
        size += length;
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
            try (channel) {
                if (direct != null) {
                    direct.close();
                }
            }
        }
    }

    /** Deletes the file, when it was not imported; readers holding the channel read on. */
    public void delete() throws IOException {
        Files.deleteIfExists(path);
    }
}
