package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemStorageTest extends StorageContract {
    @TempDir
    Path root;
    FileSystemStorage storage;

    @BeforeEach
    void create() {
        storage = new FileSystemStorage(root);
    }

    @Override
    protected Storage storage() {
        return storage;
    }

    @Test
    void appendKeepsEarlierBytesAndWhatAnUncommittedWriterWrote() throws IOException {
        byte[] all = bytes(3000);
        try (ObjectWriter w = storage.append("u/data")) {
            w.write(all, 0, 1000);
            w.commit();
        }
        try (ObjectWriter w = storage.append("u/data")) {
            assertEquals(1000, w.size());
            w.write(all, 1000, 1500);
        }
        try (ObjectWriter w = storage.append("u/data")) {
            w.write(all, 2500, 500);
            w.commit();
            assertEquals(3000, w.size());
        }
        assertArrayEquals(all, storage.read("u/data", 5000).orElseThrow());
    }

    @Test
    void moveReplacesAtomicallyAndReportsMissingSource() {
        storage.write("from", new byte[] {1});
        storage.write("to/here", new byte[] {2});
        assertTrue(storage.move("from", "to/here"));
        assertArrayEquals(new byte[] {1}, storage.read("to/here", 1).orElseThrow());
        assertTrue(storage.stat("from").isEmpty());
        assertFalse(storage.move("from", "elsewhere"));
        assertTrue(storage.move("to/here", "new/dir/obj"), "a move creates missing parents");
    }

    @Test
    void abortedWriteLeavesNoTemporaryFile() throws IOException {
        try (ObjectWriter w = storage.create("k")) {
            w.write(new byte[10]);
        }
        try (var tmp = Files.list(root.resolve(".tmp"))) {
            assertEquals(0, tmp.count());
        }
    }

    @Test
    void failedCommitLeavesNoTemporaryFile() throws IOException {
        storage.write("file", new byte[] {1});
        // "file" is a regular file, so the directory the object would be renamed into cannot be created.
        try (ObjectWriter w = storage.create("file/object")) {
            w.write(new byte[10]);
            assertThrows(IOException.class, w::commit);
        }
        try (var tmp = Files.list(root.resolve(".tmp"))) {
            assertEquals(0, tmp.count());
        }
    }

    @Test
    void recoverDeletesTemporaryFilesOnly() throws IOException {
        storage.write("kept", new byte[] {1});
        Files.writeString(root.resolve(".tmp/orphan"), "x");
        storage.recover();
        assertFalse(Files.exists(root.resolve(".tmp/orphan")));
        assertEquals(1, storage.stat("kept").orElseThrow().size());
    }

    @Test
    void aSymlinkIsNoObjectToStatNorToOpen() throws IOException {
        Files.writeString(root.resolve("../outside-secret"), "secret");
        Files.createSymbolicLink(root.resolve("link"), root.resolve("../outside-secret"));
        assertFalse(storage.stat("link").isPresent());
        assertFalse(storage.open("link").isPresent());
        assertFalse(storage.read("link", 100).isPresent());
        assertTrue(Files.exists(root.resolve("../outside-secret")));
    }
}
