package dev.berth.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Storage} implementation must do; each implementation's test (in this package) extends this and
 * gives the storage under test. Some cases write more than an object store's page of list results or a few MiB.
 */
public abstract class StorageContract {
    /** Children written to list more than S3's page of 1,000. */
    private static final int MANY = 1_500;

    /** The storage under test, empty. */
    protected abstract Storage storage();

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
        assertTrue(storage().open("a/b").isEmpty(), "nor can it be opened");
        assertTrue(storage().read("a/b", 10).isEmpty());
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
    void closeWithoutCommitLeavesNothing() throws IOException {
        try (ObjectWriter w = storage().create("x/y")) {
            w.write(bytes(1000));
        }
        assertTrue(storage().stat("x/y").isEmpty());
        assertEquals(List.of(), storage().list("x"));
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
    void deleteAllTakesEverythingUnderItsPrefixAndNothingBeside() {
        for (String key : List.of("r/a/x", "r/a/y/z", "r/ab", "r/b", "ra")) {
            storage().write(key, new byte[] {1});
        }
        storage().deleteAll("r/a");
        assertEquals(List.of("ab", "b"), storage().list("r"), "r/ab shares the prefix's letters, not its key");
        assertTrue(storage().stat("r/a/y/z").isEmpty());
        assertTrue(storage().stat("ra").isPresent());
        storage().deleteAll("r/nothing");
        assertThrows(IllegalArgumentException.class, () -> storage().deleteAll(""), "never the whole store");
        assertTrue(storage().stat("r/b").isPresent());
    }

    @Test
    void listsEveryChildOfAPrefixWithMoreThanAPageOfThem() throws Exception {
        List<String> expected = new ArrayList<>();
        try (ExecutorService writers = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < MANY; i++) {
                // Objects and sub-prefixes: both are children, and a store may page through them together.
                String child = String.format(i % 3 == 0 ? "p%04d" : "o%04d", i);
                expected.add(child);
                String key = "many/" + child + (i % 3 == 0 ? "/inside" : "");
                writers.submit(() -> storage().write(key, new byte[0]));
            }
        }
        Collections.sort(expected);
        assertEquals(expected, storage().list("many"));
    }

    @Test
    void anImportedScratchFileIsTheObjectWholeAndIsGoneAfterwards() throws IOException {
        byte[] content = bytes(3 * 1024 * 1024 + 5);
        Path scratch = storage().newScratchFile();
        assertEquals(0, Files.size(scratch), "a new scratch file is empty");
        assertNotEquals(scratch, storage().newScratchFile());
        Files.write(scratch, content);
        assertTrue(storage().stat("imported/blob").isEmpty(), "a scratch file is no object");

        storage().importFile("imported/blob", scratch);

        assertFalse(Files.exists(scratch));
        assertEquals(content.length, storage().stat("imported/blob").orElseThrow().size());
        assertArrayEquals(content, storage().read("imported/blob", content.length).orElseThrow());
    }

    @Test
    void anImportReplacesAnObjectAndReadersSeeTheOldOrTheNewNeverAMix() throws Exception {
        byte[] old = bytes(1024 * 1024);
        byte[] replacement = bytes(1024 * 1024 + 1);
        storage().write("replaced", old);
        Path scratch = storage().newScratchFile();
        Files.write(scratch, replacement);
        AtomicBoolean imported = new AtomicBoolean();
        List<String> seen = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            boolean last;
            do {
                last = imported.get();
                byte[] read = storage().read("replaced", replacement.length).orElseThrow();
                seen.add(Arrays.equals(read, old) ? "old" : Arrays.equals(read, replacement) ? "new" : "mix");
            } while (!last);
        });

        storage().importFile("replaced", scratch);
        imported.set(true);
        reader.join();

        assertFalse(seen.contains("mix"), seen::toString);
        assertEquals("new", seen.getLast());
    }

    @Test
    void recoverDeletesScratchFiles() throws IOException {
        Path scratch = storage().newScratchFile();
        Files.write(scratch, new byte[] {1});
        storage().recover();
        assertFalse(Files.exists(scratch));
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
        List<Thread> readers = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
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
