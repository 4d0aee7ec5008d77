package dev.berth.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;

/**
 * Replaces a file's content at once: readers (and a crash) see the old file or the new one, never part of one; except
 * where the file can only be rewritten in place (see {@link #rewrite}).
 */
final class AtomicFile {
    /**
     * The mode of a file that did not exist: the service usually runs as its own user (berth) and reads the file
     * through its group, which an administrator sets with chgrp; until then the group is the creator's own. Group
     * read gives away hashes, not passwords, and nothing to other users.
     */
    private static final Set<PosixFilePermission> NEW_FILE_MODE = PosixFilePermissions.fromString("rw-r-----");

    private AtomicFile() {
    }

    /**
     * Writes {@code content} to a temporary file beside {@code file}, syncs it, gives it the old file's owner, group
     * and mode, and renames it over {@code file}. A symbolic link is kept: the file it points at is replaced. Where no
     * file can be made or renamed beside it (a single file mounted into a container, in a directory of the image),
     * the file is rewritten in place instead: see {@link #rewrite}.
     */
    static void replace(Path file, byte[] content) throws IOException {
        replace(file, content, (from, to) -> Files.move(from, to, StandardCopyOption.ATOMIC_MOVE));
    }

    /** As {@link #replace(Path, byte[])}, renaming with {@code rename} (tests make it fail as a mount point does). */
    static void replace(Path file, byte[] content, Rename rename) throws IOException {
        Path target = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();
        Path directory = target.getParent();
        Path temp;
        try {
            temp = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            if (!Files.exists(target) || !isNoReplaceBeside(e)) {
                throw e;
            }
            rewrite(target, content);
            return;
        }
        try {
            Files.write(temp, content);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            copyAccess(target, temp);
            try {
                rename.move(temp, target);
            } catch (IOException e) {
                if (!Files.exists(target) || !isNoReplaceBeside(e)) {
                    throw e;
                }
                rewrite(target, content);
                return;
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        // The rename itself is durable only once the directory is synced.
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /**
     * Whether {@code e} says that nothing can replace the file from beside it: a directory this user may not write to
     * or that is read-only, a file that is a mount point (EBUSY) or on another file system than its directory.
     */
    private static boolean isNoReplaceBeside(IOException e) {
        return e instanceof AccessDeniedException || e instanceof AtomicMoveNotSupportedException
                || (e instanceof FileSystemException f && f.getReason() != null
                        && (f.getReason().contains("busy") || f.getReason().contains("Read-only")));
    }

    /**
     * Rewrites {@code file} in place, keeping its inode (and so its owner, mode and mount): the new content in one
     * write from the start, padded with newlines to at least the old length, synced, then cut to its own length. A
     * crash leaves the old content, or the new followed by blank lines, which an htpasswd file may have.
     */
    private static void rewrite(Path file, byte[] content) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            long old = channel.size();
            byte[] padded = content;
            if (content.length < old) {
                padded = Arrays.copyOf(content, (int) old);
                Arrays.fill(padded, content.length, padded.length, (byte) '\n');
            }
            ByteBuffer buffer = ByteBuffer.wrap(padded);
            while (buffer.hasRemaining()) {
                channel.write(buffer, buffer.position());
            }
            channel.force(true);
            channel.truncate(content.length);
            channel.force(true);
        }
    }

    /** Renames a file over another. */
    interface Rename {
        void move(Path from, Path to) throws IOException;
    }

    private static void copyAccess(Path target, Path temp) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
        if (!Files.exists(target)) {
            view.setPermissions(NEW_FILE_MODE);
            return;
        }
        PosixFileAttributes old = Files.readAttributes(target, PosixFileAttributes.class);
        PosixFileAttributes made = view.readAttributes();
        try {
            if (!made.owner().equals(old.owner())) {
                view.setOwner(old.owner());
            }
            if (!made.group().equals(old.group())) {
                view.setGroup(old.group());
            }
        } catch (IOException e) {
            // Replacing it anyway could lock the service out of a file it reads through its owner or group.
            throw new IOException("cannot give the new file the owner " + old.owner().getName() + " and group "
                    + old.group().getName() + " of " + target + " (run this as root or as its owner)", e);
        }
        view.setPermissions(old.permissions());
    }
}
