package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.Storage;
import dev.berth.support.MutableClock;
import dev.berth.support.TestData;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blobs whose bytes a location record names (what an object store writes), resolved over a directory. */
class BlobStoreTest {
    private static final byte[] CONTENT = TestData.bytes(70_000, 1);
    private static final Digest DIGEST = Digest.sha256(CONTENT);
    private static final String DATA_KEY = Paths.assembledBlob("6f1d2c3e-5a4b-4c3d-8e2f-000000000001");

    @TempDir
    Path root;

    private FileSystemStorage disk;
    private BlobStore blobs;

    @BeforeEach
    void open() {
        disk = new FileSystemStorage(root);
        blobs = new BlobStore(signing(disk));
    }

    @Test
    void aBlobIsStoredOnlyOnceItsLocationIsRecordedAndIsThenReadFromTheNamedObject() throws Exception {
        disk.write(DATA_KEY, CONTENT);
        assertEquals(Optional.empty(), blobs.size(DIGEST), "data without a record is no blob");

        blobs.recordLocation(DIGEST, DATA_KEY);

        assertEquals(Optional.of((long) CONTENT.length), blobs.size(DIGEST));
        assertArrayEquals(CONTENT, blobs.read(DIGEST, CONTENT.length).orElseThrow());
        try (BlobContent opened = blobs.open(DIGEST).orElseThrow()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            opened.copyTo(1000, CONTENT.length - 1000, out);
            assertEquals(DIGEST, opened.digest());
            assertArrayEquals(Arrays.copyOfRange(CONTENT, 1000, CONTENT.length), out.toByteArray());
        }
        assertEquals(Optional.of(URI.create("https://signed.test/" + DATA_KEY)),
                blobs.presign(DIGEST, Duration.ofMinutes(5)), "a client is sent to the object with the bytes");
    }

    @Test
    void dataAtTheCanonicalKeyIsReadBeforeAnyRecord() {
        disk.write(DATA_KEY, TestData.bytes(10, 2));
        blobs.recordLocation(DIGEST, DATA_KEY);
        disk.write(Paths.blob(DIGEST), CONTENT);

        assertArrayEquals(CONTENT, blobs.read(DIGEST, CONTENT.length).orElseThrow());
        assertEquals(Optional.of(URI.create("https://signed.test/" + Paths.blob(DIGEST))),
                blobs.presign(DIGEST, Duration.ofMinutes(5)));
    }

    @Test
    void deletingALocatedBlobRemovesItsRecordAndItsData() {
        disk.write(DATA_KEY, CONTENT);
        blobs.recordLocation(DIGEST, DATA_KEY);

        assertTrue(blobs.delete(DIGEST));

        assertEquals(Optional.empty(), blobs.size(DIGEST));
        assertEquals(Optional.empty(), disk.stat(DATA_KEY));
        assertEquals(Optional.empty(), disk.stat(Paths.blobLocation(DIGEST)));
        assertFalse(blobs.delete(DIGEST), "nothing left to delete");
    }

    @Test
    void aRecordNamingAnythingButAnAssembledUploadIsNotFollowed() {
        byte[] other = TestData.bytes(100, 3);
        Digest otherDigest = Digest.sha256(other);
        disk.write(Paths.blob(otherDigest), other);
        disk.write(Paths.blobLocation(DIGEST), (Paths.blob(otherDigest) + "\n").getBytes(StandardCharsets.UTF_8));

        assertEquals(Optional.empty(), blobs.size(DIGEST), "another blob's bytes are never served as this one");
        assertThrows(IllegalArgumentException.class, () -> blobs.recordLocation(DIGEST, Paths.blob(otherDigest)));
        assertThrows(IllegalArgumentException.class,
                () -> blobs.recordLocation(DIGEST, Paths.blobLocation(DIGEST)), "a record is not its own data");
    }

    @Test
    void theCollectorRemovesAnUnlinkedLocatedBlobWhole() {
        MutableClock clock = new MutableClock(Instant.now());
        LocalRegistry registry = new LocalRegistry(disk, 4 << 20, 0);
        disk.write(DATA_KEY, CONTENT);
        registry.blobs().recordLocation(DIGEST, DATA_KEY);
        clock.advance(Duration.ofHours(2));

        GarbageCollector.Result result = registry.garbageCollector(Duration.ofHours(1), clock).collect();

        assertEquals(new GarbageCollector.Result(0, 1, CONTENT.length, 0), result);
        assertEquals(List.of(), disk.list(Paths.blobDirectory(DIGEST)));
        assertEquals(Optional.empty(), disk.stat(DATA_KEY), "the assembled bytes went too");
    }

    /** {@code target}, presigning every key as a URL that names it. */
    private static Storage signing(Storage target) {
        return (Storage) Proxy.newProxyInstance(Storage.class.getClassLoader(), new Class<?>[] {Storage.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("presign")) {
                        return Optional.of(URI.create("https://signed.test/" + args[0]));
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
