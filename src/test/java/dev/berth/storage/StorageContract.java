package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What every {@link Storage} implementation must do; each implementation's test extends this. */
abstract class StorageContract {
    /** The storage under test, empty. */
    abstract Storage storage();

    static byte[] bytes(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void smallObjectsRoundTrip() {
        storage().write("a/b/c", new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, storage().read("a/b/c", 10).orElseThrow());
        assertEquals(3, storage().stat("a/b/c").orElseThrow().size());
        assertTrue(storage().read("a/b/missing", 10).isEmpty());
        assertTrue(storage().stat("a/b").isEmpty(), "a prefix is not an object");
    }

    @Test
    void readRefusesOversizedObjects() {
        storage().write("big", new byte[100]);
        assertThrows(RuntimeException.class, () -> storage().read("big", 10));
    }

    @Test
    void createdObjectIsInvisibleUntilCommit() throws IOException {
        try (ObjectWriter w = storage().create("x/y")) {
            w.write(bytes(1000));
            assertTrue(storage().stat("x/y").isEmpty());
            w.commit();
        }
        assertEquals(1000, storage().stat("x/y").orElseThrow().size());
    }

    @Test
    void writtenBytesCanBeReadBackBeforeCommit() throws IOException {
        byte[] content = bytes(5000);
        try (ObjectWriter w = storage().create("x/y")) {
            w.write(content, 0, 3000);
            ByteBuffer first = ByteBuffer.allocate(4000);
            assertEquals(2000, w.readBack(1000, first));
            assertArrayEquals(Arrays.copyOfRange(content, 1000, 3000), Arrays.copyOf(first.array(), 2000));
            assertEquals(-1, w.readBack(3000, ByteBuffer.allocate(10)), "nothing past what is written");
            w.write(content, 3000, 2000);
            ByteBuffer rest = ByteBuffer.allocate(2000);
            assertEquals(2000, w.readBack(3000, rest));
            assertArrayEquals(Arrays.copyOfRange(content, 3000, 5000), rest.array());
        }
        try (ObjectWriter w = storage().append("u/data")) {
            w.write(content, 0, 10);
            assertEquals(10, w.readBack(0, ByteBuffer.allocate(100)));
        }
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws IOException {
        try (ObjectWriter w = storage().create("x/y")) {
            w.write(bytes(1000));
        }
        assertTrue(storage().stat("x/y").isEmpty());
        assertEquals(List.of(), storage().list("x"));
    }

    @Test
    void appendKeepsEarlierBytes() throws IOException {
        byte[] all = bytes(3000);
        try (ObjectWriter w = storage().append("u/data")) {
            w.write(all, 0, 1000);
            w.commit();
        }
        try (ObjectWriter w = storage().append("u/data")) {
            assertEquals(1000, w.size());
            w.write(all, 1000, 2000);
            w.commit();
            assertEquals(3000, w.size());
        }
        assertArrayEquals(all, storage().read("u/data", 5000).orElseThrow());
    }

    @Test
    void readsFromAnyOffset() throws IOException {
        byte[] content = bytes(3 * 1024 * 1024 + 17);
        storage().write("blob", content);
        try (ObjectReader r = storage().open("blob").orElseThrow()) {
            assertEquals(content.length, r.size());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            r.copyTo(1_000_000, 2_000_000, out);
            assertArrayEquals(Arrays.copyOfRange(content, 1_000_000, 3_000_000), out.toByteArray());
            try (InputStream in = r.stream(content.length - 17)) {
                assertArrayEquals(Arrays.copyOfRange(content, content.length - 17, content.length), in.readAllBytes());
            }
        }
    }

    @Test
    void copyPastTheEndFailsInsteadOfSendingShort() throws IOException {
        byte[] content = bytes(1000);
        storage().write("blob", content);
        try (ObjectReader r = storage().open("blob").orElseThrow()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThrows(IOException.class, () -> r.copyTo(990, 20, out));
            assertTrue(out.size() <= 10, "no bytes past the end: " + out.size());
        }
    }

    @Test
    void moveReplacesAtomicallyAndReportsMissingSource() {
        storage().write("from", new byte[] {1});
        storage().write("to/here", new byte[] {2});
        assertTrue(storage().move("from", "to/here"));
        assertArrayEquals(new byte[] {1}, storage().read("to/here", 1).orElseThrow());
        assertTrue(storage().stat("from").isEmpty());
        assertFalse(storage().move("from", "elsewhere"));
        assertTrue(storage().move("to/here", "new/dir/obj"), "a move creates missing parents");
    }

    @Test
    void listAndDelete() {
        storage().write("r/b", new byte[0]);
        storage().write("r/a/x", new byte[0]);
        storage().write("r/a/y", new byte[0]);
        assertEquals(List.of("a", "b"), storage().list("r"));
        assertEquals(List.of(), storage().list("nothing"));
        assertTrue(storage().delete("r/b"));
        assertFalse(storage().delete("r/b"));
        storage().deleteAll("r/a");
        assertEquals(List.of(), storage().list("r"));
    }

    @Test
    void invalidKeysNeverTouchStorage() {
        for (String key : List.of("../escape", "a/../../b", "/abs", "a//b", ".hidden", "a/./b", "", "a\\b")) {
            assertThrows(IllegalArgumentException.class, () -> storage().stat(key), key);
            assertThrows(IllegalArgumentException.class, () -> storage().write(key, new byte[0]), key);
        }
    }

    @Test
    void concurrentReadersSeeWholeObjects() throws Exception {
        byte[] content = bytes(1 << 20);
        storage().write("shared", content);
        List<Thread> readers = new java.util.ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 16; i++) {
            readers.add(Thread.ofVirtual().start(() -> {
                try (ObjectReader r = storage().open("shared").orElseThrow()) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    r.copyTo(0, r.size(), out);
                    assertArrayEquals(content, out.toByteArray());
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : readers) {
            t.join();
        }
        assertEquals(List.of(), failures);
    }
}
