package dev.berth.budget;

import static dev.berth.support.RegistryAssertions.assertRegistryError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.registry.BlobContent;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.WritableRepository;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which blobs and manifests the disk budget evicts, in which order, and what it never touches. */
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
        return new Evictor(registry, maxBytes, MIRRORED, Set::of, lastAccess);
    }

    private Evictor evictor(long maxBytes) {
        return evictor(maxBytes, d -> Optional.ofNullable(accessed.get(d)));
    }

    @Test
    void theLeastRecentlyUsedGoFirstUntilUnderBudget() {
        WritableRepository busybox = registry.repository(BUSYBOX);
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
        WritableRepository app = registry.repository(RepoName.of("team/app"));
        WritableRepository busybox = registry.repository(BUSYBOX);
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
    void manifestsGoLeastRecentlyUsedFirstWithTheirTags() {
        WritableRepository busybox = registry.repository(BUSYBOX);
        byte[] layer = TestData.bytes(4000, 8);
        byte[] oldConfig = TestData.utf8("{\"os\":\"linux\",\"old\":true}");
        byte[] newConfig = TestData.utf8("{\"os\":\"linux\"}");
        store(busybox, layer, T0.plusSeconds(30));
        store(busybox, oldConfig, T0.plusSeconds(30));
        store(busybox, newConfig, T0.plusSeconds(30));
        byte[] oldBytes = TestData.ociManifest(oldConfig, layer);
        Digest old = putManifest(busybox, "1.35", oldBytes, T0);
        busybox.putManifest(new Reference.Tag("previous"), oldBytes, MediaTypes.OCI_MANIFEST);
        byte[] newBytes = TestData.ociManifest(newConfig, layer);
        Digest current = putManifest(busybox, "latest", newBytes, T0.plusSeconds(10));
        long total = layer.length + oldConfig.length + newConfig.length + oldBytes.length + newBytes.length;

        Evictor.Result result = evictor(total - oldBytes.length).evict();

        assertEquals(new Evictor.Result(total, 1, oldBytes.length), result, "the manifest pulled longest ago");
        assertRegistryError(OciError.MANIFEST_UNKNOWN, () -> busybox.manifest(new Reference.ByDigest(old)));
        assertEquals(List.of("latest"), busybox.tags(), "both tags of the evicted manifest went with it");
        assertFalse(registry.blobs().size(old).isPresent(), "its bytes are deleted");
        assertEquals(current, busybox.manifest(new Reference.Tag("latest")).digest());
        assertTrue(busybox.blobSize(Digest.sha256(oldConfig)).isPresent(), "used more recently than the manifest");
    }

    @Test
    void aManifestTwoMirroredRepositoriesShareGoesFromBoth() {
        WritableRepository busybox = registry.repository(BUSYBOX);
        WritableRepository copy = registry.repository(RepoName.of("docker.io/library/busybox-copy"));
        byte[] config = TestData.utf8("{\"os\":\"linux\"}");
        byte[] manifest = TestData.ociManifest(config);
        for (WritableRepository repo : List.of(busybox, copy)) {
            store(repo, config, T0.plusSeconds(10));
            putManifest(repo, "latest", manifest, T0);
        }

        assertEquals(new Evictor.Result(config.length + manifest.length, 1, manifest.length),
                evictor(config.length).evict());

        for (WritableRepository repo : List.of(busybox, copy)) {
            assertRegistryError(OciError.MANIFEST_UNKNOWN, () -> repo.manifest(new Reference.Tag("latest")));
        }
        assertFalse(registry.blobs().size(Digest.sha256(manifest)).isPresent());
        assertEquals(List.of(), registry.catalog(), "nothing left to pull in either");
    }

    /** A mirrored manifest that a private repository also holds, as a manifest or as a blob, stays everywhere. */
    @Test
    void privateRepositoriesKeepTheirManifestsAndTheMirrorsCopies() {
        WritableRepository busybox = registry.repository(BUSYBOX);
        WritableRepository app = registry.repository(RepoName.of("team/app"));
        WritableRepository raw = registry.repository(RepoName.of("team/raw"));
        byte[] config = TestData.utf8("{\"os\":\"linux\"}");
        byte[] appConfig = TestData.utf8("{\"app\":true}");
        byte[] pushed = TestData.ociManifest(config);
        byte[] uploaded = TestData.ociManifest(config, TestData.bytes(10, 11));
        store(app, config, T0);
        store(app, appConfig, T0);
        store(busybox, config, T0);
        store(busybox, TestData.bytes(10, 11), T0);
        Digest shared = putManifest(app, "v1", pushed, T0);
        putManifest(busybox, "latest", pushed, T0);
        Digest asBlob = putManifest(busybox, "other", uploaded, T0);
        store(raw, uploaded, T0);
        Digest privateOnly = putManifest(app, "v2", TestData.ociManifest(appConfig), T0);

        Evictor.Result result = evictor(0).evict();

        assertEquals(new Evictor.Result(10, 1, 10), result, "only the mirror's own layer counts and goes");
        assertEquals(shared, busybox.manifest(new Reference.Tag("latest")).digest());
        assertEquals(asBlob, busybox.manifest(new Reference.Tag("other")).digest());
        assertEquals(shared, app.manifest(new Reference.Tag("v1")).digest());
        assertEquals(privateOnly, app.manifest(new Reference.Tag("v2")).digest());
        assertTrue(raw.blobSize(asBlob).isPresent());
    }

    /** A private mount made after the walk chose its victims, as a push racing the evictor would. */
    @Test
    void aBlobLinkedPrivatelyDuringThePassIsKept() {
        WritableRepository busybox = registry.repository(BUSYBOX);
        Digest layer = store(busybox, 3000, 9, T0);
        WritableRepository late = registry.repository(RepoName.of("team/late"));

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
        WritableRepository busybox = registry.repository(BUSYBOX);
        byte[] layer = TestData.bytes(3 << 20, 10);
        store(busybox, layer, T0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlobContent blob = busybox.openBlob(Digest.sha256(layer))) {
            blob.copyTo(0, layer.length / 2, out);

            assertEquals(1, evictor(0).evict().digests());
            assertFalse(registry.blobs().size(Digest.sha256(layer)).isPresent());

            blob.copyTo(layer.length / 2, layer.length - layer.length / 2, out);
        }
        assertEquals(TestData.digest(layer), TestData.digest(out.toByteArray()));
    }

    private Digest putManifest(WritableRepository repo, String tag, byte[] manifest, Instant lastAccess) {
        Digest digest = repo.putManifest(new Reference.Tag(tag), manifest, MediaTypes.OCI_MANIFEST).digest();
        accessed.put(digest, lastAccess);
        return digest;
    }

    private Digest store(WritableRepository repo, int size, long seed, Instant lastAccess) {
        return store(repo, TestData.bytes(size, seed), lastAccess);
    }

    private Digest store(WritableRepository repo, byte[] content, Instant lastAccess) {
        Digest digest = Digest.sha256(content);
        repo.putBlob(new ByteArrayInputStream(content), digest);
        accessed.put(digest, lastAccess);
        return digest;
    }
}
