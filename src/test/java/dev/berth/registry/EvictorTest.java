package dev.berth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which blobs the disk budget evicts, in which order, and what it never touches. */
class EvictorTest {
    private static final Predicate<RepoName> MIRRORED = name -> name.value().startsWith("docker.io/");
    private static final RepoName BUSYBOX = RepoName.of("docker.io/library/busybox");
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path root;

    private LocalRegistry registry;
    private final Map<Digest, Instant> accessed = new HashMap<>();

    @BeforeEach
    void open() {
        registry = new LocalRegistry(new FileSystemStorage(root), 4 << 20, 0);
    }

    private Evictor evictor(long maxBytes, Function<Digest, Optional<Instant>> lastAccess) {
        return registry.evictor(maxBytes, MIRRORED, Set::of, lastAccess);
    }

    private Evictor evictor(long maxBytes) {
        return evictor(maxBytes, d -> Optional.ofNullable(accessed.get(d)));
    }

    @Test
    void theLeastRecentlyUsedGoFirstUntilUnderBudget() {
        Repository busybox = registry.repository(BUSYBOX);
        // Stored in this order, but the first one stored was pulled last: access, not storage, decides.
        Digest pulledNow = store(busybox, 1000, 1, T0.plusSeconds(40));
        Digest oldest = store(busybox, 1000, 2, T0.plusSeconds(10));
        Digest second = store(busybox, 1000, 3, T0.plusSeconds(20));
        Digest third = store(busybox, 1000, 4, T0.plusSeconds(30));

        Evictor.Result result = evictor(2500).evict();

        assertEquals(new Evictor.Result(4000, 2, 2000), result);
        assertFalse(busybox.blobSize(oldest).isPresent());
        assertFalse(busybox.blobSize(second).isPresent());
        assertFalse(registry.blobs().size(oldest).isPresent(), "the blob itself is deleted, not only its link");
        assertTrue(busybox.blobSize(third).isPresent());
        assertTrue(busybox.blobSize(pulledNow).isPresent());
        assertEquals(new Evictor.Result(2000, 0, 0), evictor(2500).evict(), "under budget: nothing more goes");
    }

    @Test
    void privateBlobsAreNeitherCountedNorEvictedAndSharedOnesStay() {
        Repository app = registry.repository(RepoName.of("team/app"));
        Repository busybox = registry.repository(BUSYBOX);
        byte[] shared = TestData.bytes(3000, 5);
        Digest privateOnly = store(app, 5000, 6, T0);
        store(app, shared, T0);
        store(busybox, shared, T0);
        Digest mirroredOnly = store(busybox, 2000, 7, T0.plusSeconds(1));

        Evictor.Result result = evictor(0).evict();

        assertEquals(new Evictor.Result(2000, 1, 2000), result, "only the mirrored-only blob counts and goes");
        assertFalse(busybox.blobSize(mirroredOnly).isPresent());
        assertTrue(app.blobSize(privateOnly).isPresent());
        assertTrue(app.blobSize(Digest.sha256(shared)).isPresent());
        assertTrue(busybox.blobSize(Digest.sha256(shared)).isPresent(),
                "a blob a private repository links keeps its mirror link");
    }

    @Test
    void manifestsAreKept() {
        Repository busybox = registry.repository(BUSYBOX);
        byte[] config = TestData.utf8("{\"os\":\"linux\"}");
        byte[] layer = TestData.bytes(4000, 8);
        store(busybox, config, T0);
        store(busybox, layer, T0);
        Digest manifest = busybox.putManifest(new Reference.Tag("latest"), TestData.ociManifest(config, layer),
                MediaTypes.OCI_MANIFEST).digest();

        Evictor.Result result = evictor(0).evict();

        assertEquals(2, result.blobs(), "the config and the layer");
        assertFalse(busybox.blobSize(Digest.sha256(layer)).isPresent());
        assertEquals(manifest, busybox.manifest(new Reference.Tag("latest")).digest());
    }

    /** A private mount made after the walk chose its victims, as a push racing the evictor would. */
    @Test
    void aBlobLinkedPrivatelyDuringThePassIsKept() {
        Repository busybox = registry.repository(BUSYBOX);
        Digest layer = store(busybox, 3000, 9, T0);
        Repository late = registry.repository(RepoName.of("team/late"));

        Evictor.Result result = evictor(0, d -> {
            // Called after the walk, before evicting: the mount lands between the two.
            assertTrue(late.mountBlob(d, busybox));
            return Optional.of(T0);
        }).evict();

        assertEquals(new Evictor.Result(3000, 0, 0), result);
        assertTrue(late.blobSize(layer).isPresent());
        assertTrue(registry.blobs().size(layer).isPresent());
    }

    @Test
    void aBlobBeingReadWhenItIsEvictedIsReadToTheEnd() throws IOException {
        Repository busybox = registry.repository(BUSYBOX);
        byte[] layer = TestData.bytes(3 << 20, 10);
        store(busybox, layer, T0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlobContent blob = busybox.openBlob(Digest.sha256(layer))) {
            blob.copyTo(0, layer.length / 2, out);

            assertEquals(1, evictor(0).evict().blobs());
            assertFalse(registry.blobs().size(Digest.sha256(layer)).isPresent());

            blob.copyTo(layer.length / 2, layer.length - layer.length / 2, out);
        }
        assertEquals(TestData.digest(layer), TestData.digest(out.toByteArray()));
    }

    private Digest store(Repository repo, int size, long seed, Instant lastAccess) {
        return store(repo, TestData.bytes(size, seed), lastAccess);
    }

    private Digest store(Repository repo, byte[] content, Instant lastAccess) {
        Digest digest = Digest.sha256(content);
        repo.putBlob(new ByteArrayInputStream(content), digest);
        accessed.put(digest, lastAccess);
        return digest;
    }
}
