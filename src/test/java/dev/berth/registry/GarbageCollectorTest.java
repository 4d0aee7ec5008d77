package dev.berth.registry;

import static dev.berth.support.RegistryAssertions.assertRegistryError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.MutableClock;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the collector removes, what it keeps, and that pushes racing it never lose a blob they were promised. */
class GarbageCollectorTest {
    private static final Duration GRACE = Duration.ofHours(1);

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(Instant.now());
    private LocalRegistry registry;
    private GarbageCollector collector;

    private void open() {
        open(4 << 20);
    }

    private void open(int maxManifestBytes) {
        registry = new LocalRegistry(new FileSystemStorage(root), maxManifestBytes, 0);
        collector = registry.garbageCollector(GRACE, clock);
    }

    @Test
    void blobsOfADeletedImageGoOnceTheGracePeriodHasPassedSharedOnesStay() {
        open();
        WritableRepository app = registry.repository(RepoName.of("team/app"));
        byte[] shared = TestData.bytes(5000, 1);
        byte[] onlyOld = TestData.bytes(6000, 2);
        Digest old = push(app, "old", TestData.utf8("{\"v\":1}"), shared, onlyOld);
        push(app, "new", TestData.utf8("{\"v\":2}"), shared);
        app.deleteManifest(new Reference.ByDigest(old));

        GarbageCollector.Result early = collector.collect();
        assertEquals(new GarbageCollector.Result(0, 0, 0, 0), early, "nothing is older than the grace period yet");
        assertTrue(registry.blobs().size(Digest.sha256(onlyOld)).isPresent());

        clock.advance(GRACE.plusMinutes(1));
        GarbageCollector.Result result = collector.collect();

        assertEquals(2, result.links(), "the old config's and the old layer's links");
        assertEquals(3, result.blobs(), "the old manifest, config and layer");
        assertFalse(registry.blobs().size(Digest.sha256(onlyOld)).isPresent());
        assertFalse(registry.blobs().size(old).isPresent());
        assertRegistryError(OciError.BLOB_UNKNOWN, () -> app.openBlob(Digest.sha256(onlyOld)));
        assertEquals(TestData.digest(shared), TestData.servedDigest(app, Digest.sha256(shared)));
        StoredManifest current = app.manifest(new Reference.Tag("new"));
        assertEquals(MediaTypes.OCI_MANIFEST, current.mediaType());
    }

    @Test
    void manifestsOverALimitLoweredSinceTheyWerePushedAreStillReadAndCollected() {
        open();
        WritableRepository app = registry.repository(RepoName.of("team/app"));
        byte[] onlyOld = TestData.bytes(6000, 2);
        Digest old = push(app, "old", TestData.utf8("{\"v\":1}"), onlyOld);
        Digest current = push(app, "new", TestData.utf8("{\"v\":2}"), TestData.bytes(5000, 1));
        app.deleteManifest(new Reference.ByDigest(old));
        open(16);
        app = registry.repository(RepoName.of("team/app"));
        clock.advance(GRACE.plusMinutes(1));

        GarbageCollector.Result result = collector.collect();

        assertEquals(2, result.links(), "the old config's and the old layer's links");
        assertEquals(3, result.blobs(), "the old manifest, config and layer");
        assertEquals(current, app.manifest(new Reference.Tag("new")).digest());
    }

    @Test
    void aBlobStillLinkedByAnotherRepositoryStays() {
        open();
        byte[] layer = TestData.bytes(4000, 3);
        WritableRepository a = registry.repository(RepoName.of("team/a"));
        WritableRepository b = registry.repository(RepoName.of("team/b"));
        push(a, "1", TestData.utf8("{\"a\":1}"), layer);
        Digest inB = push(b, "1", TestData.utf8("{\"b\":1}"), layer);
        b.deleteManifest(new Reference.ByDigest(inB));
        clock.advance(GRACE.plusMinutes(1));

        collector.collect();

        assertRegistryError(OciError.BLOB_UNKNOWN, () -> b.openBlob(Digest.sha256(layer)));
        assertEquals(TestData.digest(layer), TestData.servedDigest(a, Digest.sha256(layer)));
    }

    @Test
    void aBlobPushedBeforeItsManifestSurvivesTheGracePeriod() {
        open();
        WritableRepository app = registry.repository(RepoName.of("team/app"));
        byte[] layer = TestData.bytes(4000, 4);
        app.putBlob(new ByteArrayInputStream(layer), Digest.sha256(layer));
        clock.advance(GRACE.minusMinutes(1));

        assertEquals(0, collector.collect().blobs());
        assertEquals(TestData.digest(layer), TestData.servedDigest(app, Digest.sha256(layer)));

        clock.advance(Duration.ofMinutes(2));
        assertEquals(1, collector.collect().blobs());
        assertRegistryError(OciError.BLOB_UNKNOWN, () -> app.openBlob(Digest.sha256(layer)));
    }

    @Test
    void aBlobBeingReadWhenItIsCollectedIsReadToTheEnd() throws IOException {
        open();
        WritableRepository app = registry.repository(RepoName.of("team/app"));
        byte[] layer = TestData.bytes(3 << 20, 5);
        app.putBlob(new ByteArrayInputStream(layer), Digest.sha256(layer));
        clock.advance(GRACE.plusMinutes(1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlobContent blob = app.openBlob(Digest.sha256(layer))) {
            blob.copyTo(0, layer.length / 2, out);

            assertEquals(1, collector.collect().blobs());
            assertFalse(registry.blobs().size(Digest.sha256(layer)).isPresent());

            blob.copyTo(layer.length / 2, layer.length - layer.length / 2, out);
        }
        assertEquals(TestData.digest(layer), TestData.digest(out.toByteArray()));
    }

    /**
     * Workers push images whose layers come from a small shared pool, check them, and delete them again, so the
     * pool's blobs keep becoming garbage and being pushed again, while collections run back to back with every file
     * already past the grace period. A push that got through must find every blob it references.
     */
    @Test
    void pushesRacingCollectionsNeverLoseAReferencedBlob() throws Exception {
        open();
        clock.advance(Duration.ofDays(1));
        List<byte[]> pool = List.of(TestData.bytes(70_000, 10), TestData.bytes(80_000, 11),
                TestData.bytes(90_000, 12));
        AtomicBoolean pushing = new AtomicBoolean(true);
        AtomicInteger pushed = new AtomicInteger();
        AtomicInteger collections = new AtomicInteger();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> gc = threads.submit(() -> {
                while (pushing.get()) {
                    collector.collect();
                    collections.incrementAndGet();
                }
            });
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int worker = w;
                workers.add(threads.submit(() -> {
                    WritableRepository repo = registry.repository(RepoName.of("team/w" + worker));
                    for (int i = 0; i < 40; i++) {
                        byte[] layer = pool.get((worker + i) % pool.size());
                        byte[] config = TestData.utf8("{\"w\":" + worker + ",\"i\":" + i + "}");
                        Digest manifest;
                        try {
                            manifest = push(repo, "t", config, layer);
                        } catch (RegistryException e) {
                            // The collector may unlink a layer between its upload and the manifest (everything is
                            // past the grace period here): the push fails cleanly, as a client would be told.
                            assertEquals(OciError.MANIFEST_BLOB_UNKNOWN, e.error(), e.getMessage());
                            continue;
                        }
                        pushed.incrementAndGet();
                        assertEquals(TestData.digest(layer), TestData.servedDigest(repo, Digest.sha256(layer)));
                        assertEquals(TestData.digest(config), TestData.servedDigest(repo, Digest.sha256(config)));
                        repo.deleteManifest(new Reference.ByDigest(manifest));
                    }
                    return null;
                }));
            }
            try {
                for (Future<?> worker : workers) {
                    worker.get();
                }
            } finally {
                pushing.set(false);
            }
            gc.get();
        }
        assertTrue(pushed.get() > 40, "pushes got through: " + pushed.get());
        assertTrue(collections.get() > 1, "collections ran: " + collections.get());
    }

    private static Digest push(WritableRepository repo, String tag, byte[] config, byte[]... layers) {
        repo.putBlob(new ByteArrayInputStream(config), Digest.sha256(config));
        for (byte[] layer : layers) {
            repo.putBlob(new ByteArrayInputStream(layer), Digest.sha256(layer));
        }
        return repo.putManifest(new Reference.Tag(tag), TestData.ociManifest(config, layers), MediaTypes.OCI_MANIFEST)
                .digest();
    }


    @Test
    void onASharedStoreAFreshLinkMarkFromAnotherInstanceSparesAnOldUnlinkedBlob() throws IOException {
        FileSystemStorage disk = new FileSystemStorage(root);
        LocalRegistry shared = new LocalRegistry(disk, new FileUploadData(disk), 4 << 20, 0, Optional.empty(), true);
        WritableRepository repo = shared.repository(RepoName.of("team/app"));
        byte[] marked = TestData.bytes(7000, 3);
        byte[] unmarked = TestData.bytes(7000, 4);
        for (byte[] layer : List.of(marked, unmarked)) {
            Digest digest = Digest.sha256(layer);
            repo.putBlob(new ByteArrayInputStream(layer), digest);
            repo.deleteBlob(digest);
            Files.setLastModifiedTime(root.resolve(Paths.blob(digest)), FileTime.from(Instant.now().minus(GRACE)));
            Files.setLastModifiedTime(root.resolve(Paths.linkMark(digest)), FileTime.from(Instant.now().minus(GRACE)));
        }
        // Another instance is linking this one now: its locks are not this process's, only its mark says so.
        LinkMarks.in(disk, shared.blobs()).marking(Digest.sha256(marked));

        GarbageCollector.Result result = shared.garbageCollector(GRACE, Clock.systemUTC()).collect();

        assertEquals(1, result.blobs(), "only the blob nobody is linking");
        assertTrue(shared.blobs().size(Digest.sha256(marked)).isPresent());
        assertFalse(shared.blobs().size(Digest.sha256(unmarked)).isPresent());
    }

    @Test
    void onASharedStoreAMarkWithNoBlobGoesOnceOlderThanTheGracePeriod() throws IOException {
        FileSystemStorage disk = new FileSystemStorage(root);
        LocalRegistry shared = new LocalRegistry(disk, new FileUploadData(disk), 4 << 20, 0, Optional.empty(), true);
        Digest claimed = Digest.sha256(TestData.bytes(10, 5));
        Digest recent = Digest.sha256(TestData.bytes(10, 6));
        // What an upload with a wrong digest leaves: the mark written before the digest was checked.
        LinkMarks.in(disk, shared.blobs()).marking(claimed);
        LinkMarks.in(disk, shared.blobs()).marking(recent);
        Files.setLastModifiedTime(root.resolve(Paths.linkMark(claimed)), FileTime.from(Instant.now().minus(GRACE)));

        shared.garbageCollector(GRACE, Clock.systemUTC()).collect();

        assertTrue(disk.list(Paths.blobDirectory(claimed)).isEmpty(), "nothing left of the old mark");
        assertTrue(disk.stat(Paths.linkMark(recent)).isPresent(), "a recent one may be an upload completing now");
    }
}
