package dev.berth.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** A local directory of temporary files with unique names, emptied at start of whatever a crash left in it. */
final class ScratchDirectory {
    private final Path directory;

    /** Uses {@code directory}, creating it if absent. */
    ScratchDirectory(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory " + this.directory, e);
        }
    }

    /** The path of a file that does not exist yet. */
    Path newPath() {
        return directory.resolve(UUID.randomUUID().toString());
    }

    /** A new empty file. */
    Path newFile() throws IOException {
        return Files.createFile(newPath());
    }

    /** Deletes every file in the directory. */
    void empty() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                Files.deleteIfExists(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
