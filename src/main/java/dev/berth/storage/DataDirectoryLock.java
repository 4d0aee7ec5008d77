package dev.berth.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The operating system's lock on a data directory (its {@code .lock} file), held while one berth uses it, so a second
 * berth cannot clear the first one's temporary files at start. The kernel releases it when the process ends, however
 * it ends, so a killed berth leaves no stale lock. The file holds the holder's process id, for the message.
 */
public final class DataDirectoryLock implements AutoCloseable {
    /** Not a valid storage key (keys never start with a dot), so no object can collide with it. */
    static final String FILE = ".lock";

    private final FileChannel channel;

    private DataDirectoryLock(FileChannel channel) {
        this.channel = channel;
    }

    /** Locks {@code root} (created if missing) or throws {@link InUse} naming the directory and the holder. */
    public static DataDirectoryLock acquire(Path root) {
        Path file = root.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(root);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                throw new InUse(root, holder(channel));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.force(false);
            return new DataDirectoryLock(channel);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock the data directory " + root.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // Held by this very process (a second server in one JVM): in use all the same.
            return null;
        }
    }

    /** The process id the holder wrote, or a placeholder while it has not written it yet. */
    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
        return pid.matches("\\d+") ? pid : "unknown";
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing is only to release the descriptor; the failure that brought us here is what matters.
            }
        }
    }

    /** Releases the lock (closing the file releases it); the file stays, its content is stale from now on. */
    @Override
    public void close() {
        closeQuietly(channel);
    }

    /** Another process (or another server in this one) holds the data directory. */
    public static final class InUse extends RuntimeException {
        InUse(Path root, String pid) {
            super("storage.root " + root.toAbsolutePath() + " is in use by another berth (process " + pid
                    + "); stop it, or give this one another data directory");
        }
    }
}
