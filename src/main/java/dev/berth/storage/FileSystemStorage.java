package dev.berth.storage;

import java.io.IOException;
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
 * place, so a crash leaves at most a temporary file that {@link #recover()} deletes; scratch files live there too. An
 * object is a regular file: a symbolic link is no object, for {@link #stat} and {@link #open} alike.
 *
 * <p>Beyond {@link Storage}, a directory can {@link #append} and {@link #move}, which uploads in files use.
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
        return openForReading(key).map(PositionalFileReader::new);
    }

    @Override
    public Optional<byte[]> read(String key, int maxBytes) {
        Optional<FileChannel> opened = openForReading(key);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        try (FileChannel ch = opened.get()) {
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The object's file, open for reading; empty when there is none, as {@link #stat} would say. */
    private Optional<FileChannel> openForReading(String key) {
        Path file = path(key);
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                channel.close();
                return Optional.empty();
            }
            return Optional.of(channel);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // A symbolic link, refused by NOFOLLOW_LINKS (ELOOP), is no object; anything else is a failure.
            if (Files.isSymbolicLink(file)) {
                return Optional.empty();
            }
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

    @Override
    public ObjectWriter create(String key) {
        Path target = path(key);
        Path temp = tmp.resolve(UUID.randomUUID().toString());
        try {
            return new FileObjectWriter(FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    0, temp, target);
        } catch (IOException e) {
            throw unchecked(e);
        }
    }

    /**
     * A writer appending to the object at {@code key} (created if absent): unlike a created one, what it wrote stays
     * when it is closed without a commit, which makes it durable. Not part of {@link Storage}: object stores cannot.
     */
    public ObjectWriter append(String key) {
        Path target = path(key);
        try {
            Files.createDirectories(target.getParent());
            FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            return new FileObjectWriter(ch, ch.size(), null, target);
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

    /**
     * Moves an object atomically, replacing the target; false when the source is absent. Not part of {@link Storage}:
     * object stores can only copy.
     */
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
        Path top = path(prefix);
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

    /** Renames {@code source} to {@code target} atomically, creating missing directories, and syncs the directory. */
    static void moveIntoPlace(Path source, Path target) throws IOException {
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
}
