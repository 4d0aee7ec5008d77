package dev.berth.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Replaces a file's content at once: readers (and a crash) see the old file or the new one, never part of one. */
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
     * and mode, and renames it over {@code file}. A symbolic link is kept: the file it points at is replaced.
     */
    static void replace(Path file, byte[] content) throws IOException {
        Path target = Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();
        Path directory = target.getParent();
        Path temp = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp");
        try {
            Files.write(temp, content);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            copyAccess(target, temp);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        // The rename itself is durable only once the directory is synced.
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
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
