package dev.berth.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@link Storage} in a directory on local disk. New objects are written to {@code .tmp/}, synced and renamed into
 * place, so a crash leaves at most a temporary file that {@link #recover()} deletes.
 */
public final class FileSystemStorage implements Storage {
    private final Path root;
    private final Path tmp;

    public FileSystemStorage(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(".tmp");
        try {
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + this.root, e);
        }
    }

    /** The data directory. */
    public Path root() {
        return root;
    }

    /**
     * Writes, syncs and deletes a small file in the temporary area, where every new object starts: proof that the data
     * directory takes writes now. Throws when it does not.
     */
    public void probeWrite() throws IOException {
        Path probe = tmp.resolve("probe-" + UUID.randomUUID());
        try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {1}));
            channel.force(false);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private Path path(String key) {
        return root.resolve(StorageKeys.check(key));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        try {
            BasicFileAttributes a = Files.readAttributes(path(key), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? Optional.of(new ObjectInfo(a.size(), a.lastModifiedTime().toInstant()))
                    : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<ObjectReader> open(String key) {
        try {
            return Optional.of(new FileReader(FileChannel.open(path(key), StandardOpenOption.READ)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<byte[]> read(String key, int maxBytes) {
        Path file = path(key);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > maxBytes) {
                throw new IOException(key + " is " + size + " bytes, over the " + maxBytes + " expected");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            int n = 0;
            while (buffer.hasRemaining() && n >= 0) {
                n = ch.read(buffer);
            }
            return Optional.of(buffer.array());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void write(String key, byte[] content) {
        try (ObjectWriter writer = create(key)) {
            writer.write(content);
            writer.commit();
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    /** {@link StorageFullException} when the disk is full, so callers can tell clients more than "I/O error". */
    private static UncheckedIOException unchecked(IOException e) {
        return StorageFullException.isFull(e) ? new StorageFullException(e) : new UncheckedIOException(e);
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

    @Override
    public ObjectWriter create(String key) {
        Path target = path(key);
        Path temp = tmp.resolve(UUID.randomUUID().toString());
        try {
            return new FileWriter(FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.READ), 0, temp, target);
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    @Override
    public ObjectWriter append(String key) {
        Path target = path(key);
        try {
            Files.createDirectories(target.getParent());
            // Positioned at the end rather than APPEND, which Java does not allow together with READ.
            FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            ch.position(ch.size());
            return new FileWriter(ch, ch.size(), null, target);
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    @Override
    public Path newScratchFile() {
        Path file = tmp.resolve(UUID.randomUUID().toString());
        try {
            Files.createFile(file);
            return file;
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    @Override
    public void importFile(String key, Path file) {
        Path target = path(key);
        try {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(false);
            }
            moveIntoPlace(file, target);
        } catch (IOException e) {
            throw unchecked(e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // recover() removes what is left at the next start
            }
        }
    }

    @Override
    public boolean move(String from, String to) {
        Path source = path(from);
        Path target = path(to);
        try {
            moveIntoPlace(source, target);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean delete(String key) {
        try {
            return Files.deleteIfExists(path(key));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void deleteAll(String prefix) {
        Path top = prefix.isEmpty() ? root : path(prefix);
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(top)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException e) {
            // a concurrent delete got there first
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        Path dir = prefix.isEmpty() ? root : root.resolve(StorageKeys.checkPrefix(prefix));
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(".")) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Collections.sort(names);
        return names;
    }

    @Override
    public void recover() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
            for (Path entry : entries) {
                Files.deleteIfExists(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void moveIntoPlace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            if (!Files.exists(source)) {
                throw e;
            }
            Files.createDirectories(target.getParent());
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.getParent());
    }

    /** Makes a rename durable: the directory entry itself must reach the disk. */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (FileAlreadyExistsException | UnsupportedOperationException ignored) {
            // some filesystems cannot sync a directory; the rename is still atomic
        }
    }

    /**
     * Reads a file with positional reads, so that any number of streams and copies may read one reader, each from its
     * own offset, and closing a stream leaves the file open for the others. Copies go through
     * {@link ObjectReader#copyTo}: positional reads, not mapped windows, whose pages count as berth's RSS until the GC
     * happens to collect their buffers (12 GiB under bench/run), and reads measured as fast.
     */
    private static final class FileReader implements ObjectReader {
        private final FileChannel channel;
        private final long size;

        FileReader(FileChannel channel) throws IOException {
            this.channel = channel;
            this.size = channel.size();
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public InputStream stream(long offset) {
            return new InputStream() {
                private long position = offset;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return 0;
                    }
                    int n = channel.read(ByteBuffer.wrap(b, off, len), position);
                    if (n > 0) {
                        position += n;
                    }
                    return n;
                }
            };
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Writes through a channel; {@code temp} is non-null for created objects, which commit by rename. */
    private static final class FileWriter extends ObjectWriter {
        private final FileChannel channel;
        private final Path temp;
        private final Path target;
        private long size;
        private boolean done;

        FileWriter(FileChannel channel, long initialSize, Path temp, Path target) {
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
        public int readBack(long position, ByteBuffer target) throws IOException {
            // Positional reads do not move the channel's position, so they may run beside writes.
            return channel.read(target, position);
        }

        @Override
        public void commit() throws IOException {
            try {
                channel.force(false);
                if (temp != null) {
                    channel.close();
                    moveIntoPlace(temp, target);
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
    }
}
