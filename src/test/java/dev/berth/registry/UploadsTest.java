package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.Storage;
import dev.berth.support.Poll;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests on one upload that race each other. */
class UploadsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final RepoName NAME = RepoName.of("team/app");

    @TempDir
    Path root;

    @Test
    void chunkThatWaitedForTheCompletingRequestFindsTheUploadGone() throws Exception {
        FileSystemStorage storage = new FileSystemStorage(root);
        BlobStore blobs = new BlobStore(storage);
        Uploads uploads = new Uploads(storage, new FileUploadData(storage), 0, new LinkGuard());
        byte[] content = TestData.bytes(3000, 1);
        String id = uploads.start(NAME);
        uploads.append(NAME, id, new ByteArrayInputStream(content), Optional.empty());

        CountDownLatch linking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread completing = new Thread(() -> uploads.complete(NAME, id, new ByteArrayInputStream(new byte[0]),
                Optional.empty(), Digest.sha256(content), () -> {
                    linking.countDown();
                    awaitLatch(release);
                }));
        completing.start();
        assertTrue(linking.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "complete() reached the link step");

        // A chunk for the same upload arrives while complete() holds the upload's lock.
        AtomicReference<Throwable> chunkFailure = new AtomicReference<>();
        Thread chunk = startChunk(uploads, id, chunkFailure);
        Poll.until(() -> chunk.getState() == Thread.State.WAITING, "the chunk waits for the upload's lock");

        release.countDown();
        completing.join(DEADLINE.toMillis());
        chunk.join(DEADLINE.toMillis());
        assertFalse(completing.isAlive() || chunk.isAlive(), "both requests finished");

        RegistryException error = assertInstanceOf(RegistryException.class, chunkFailure.get());
        assertEquals(OciError.BLOB_UPLOAD_UNKNOWN, error.error());
        assertFalse(Files.exists(root.resolve(Paths.upload(id))), "nothing of the upload is left on disk");
        assertArrayEquals(content, blobs.read(Digest.sha256(content), content.length).orElseThrow());
    }

    @Test
    void chunkArrivingWhilePurgeDeletesTheUploadFindsItGone() throws Exception {
        FileSystemStorage disk = new FileSystemStorage(root);
        String id = new Uploads(disk, new FileUploadData(disk), 0, new LinkGuard()).start(NAME);

        // After a restart no in-memory state exists for the upload; purge stops part way into deleting it.
        CountDownLatch deleting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Storage storage = intercepted(Storage.class, disk, (method, args) -> {
            if (method.equals("deleteAll")) {
                deleting.countDown();
                awaitLatch(release);
            }
        });
        Uploads uploads = new Uploads(storage, new FileUploadData(disk), 0, new LinkGuard());
        AtomicReference<Integer> purged = new AtomicReference<>();
        Thread purge = new Thread(() -> purged.set(uploads.purge(Duration.ZERO, Instant.now().plusSeconds(60))));
        purge.start();
        assertTrue(deleting.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "purge reached the delete");

        AtomicReference<Throwable> chunkFailure = new AtomicReference<>();
        Thread chunk = startChunk(uploads, id, chunkFailure);
        // The chunk must wait for the purge; if it does not, it has already written and finished.
        Poll.until(() -> chunk.getState() == Thread.State.WAITING || !chunk.isAlive(),
                "the chunk waits for the upload's lock or finishes");

        release.countDown();
        purge.join(DEADLINE.toMillis());
        chunk.join(DEADLINE.toMillis());
        assertFalse(purge.isAlive() || chunk.isAlive(), "both finished");

        assertEquals(1, purged.get());
        RegistryException error = assertInstanceOf(RegistryException.class, chunkFailure.get());
        assertEquals(OciError.BLOB_UPLOAD_UNKNOWN, error.error());
        assertFalse(Files.exists(root.resolve(Paths.upload(id))), "nothing of the upload is left on disk");
    }

    @Test
    void cancelAfterRestartOnlyDeletesTheUploadedBytes() {
        FileSystemStorage disk = new FileSystemStorage(root);
        Uploads before = new Uploads(disk, new FileUploadData(disk), 0, new LinkGuard());
        String id = before.start(NAME);
        before.append(NAME, id, new ByteArrayInputStream(TestData.bytes(3000, 1)), Optional.empty());

        List<String> asked = new CopyOnWriteArrayList<>();
        UploadData data = intercepted(UploadData.class, new FileUploadData(disk),
                (method, args) -> asked.add(method));
        new Uploads(disk, data, 0, new LinkGuard()).cancel(NAME, id);

        assertEquals(List.of("delete"), asked, "cancelling neither hashed nor read the bytes");
        assertFalse(Files.exists(root.resolve(Paths.upload(id))), "nothing of the upload is left on disk");
    }

    /**
     * Starts a thread that appends a 100-byte chunk to upload {@code id}; whatever the append throws is put in
     * {@code failure}.
     */
    private static Thread startChunk(Uploads uploads, String id, AtomicReference<Throwable> failure) {
        Thread chunk = new Thread(() -> {
            try {
                uploads.append(NAME, id, new ByteArrayInputStream(TestData.bytes(100, 2)), Optional.empty());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        chunk.start();
        return chunk;
    }

    /** {@code target}, with {@code before} told each call's method name and arguments before it runs. */
    private static <T> T intercepted(Class<T> type, T target, BiConsumer<String, Object[]> before) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    before.accept(method.getName(), args);
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("the test never released the latch");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
