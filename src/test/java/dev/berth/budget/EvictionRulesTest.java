package dev.berth.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.config.ConfigLoader;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.WritableRepository;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the rules keep from the evictor: private repositories, the repositories and tags of {@code cache.pin} (an
 * index with its platform manifests and their blobs), and the tags pinned in the store, for every berth over it.
 */
class EvictionRulesTest {
    private static final RepoName BUSYBOX = RepoName.of("docker.io/library/busybox");
    private static final RepoName ALPINE = RepoName.of("docker.io/library/alpine");
    private static final RepoName APP = RepoName.of("team/app");

    @TempDir
    Path root;

    /** One berth's view of the data directory: its registry, pins and rules, as a start builds them. */
    private final class Berth {
        final LocalRegistry registry;
        final PinStore pins;
        final EvictionRules rules;

        Berth(String cacheYaml) {
            FileSystemStorage storage = new FileSystemStorage(root);
            registry = new LocalRegistry(storage, 4 << 20, 0);
            pins = new PinStore(storage);
            rules = new EvictionRules(ConfigLoader.fromYaml("mirror:\n  upstreams:\n    - {registry: docker.io, url: "
                    + "'http://127.0.0.1:9', default: true}\nprivate:\n  repositories: ['team/*']\n" + cacheYaml),
                    registry, pins);
        }

        /** Evicts all it may: a budget of nothing. */
        Evictor.Result evictAll() {
            return new Evictor(registry, 0, rules::isEvictable, rules::pinned, d -> Optional.empty()).evict();
        }

        boolean holds(RepoName name, Digest manifest) {
            return registry.cache(name).manifest(manifest).isPresent();
        }

        boolean holdsBlob(RepoName name, byte[] blob) {
            return registry.repository(name).blobSize(Digest.sha256(blob)).isPresent();
        }
    }

    /** An image stored in a repository: its manifest's digest and bytes, config and layer. */
    private record Image(Digest digest, byte[] manifest, byte[] config, byte[] layer) {
        long bytes() {
            return manifest.length + config.length + layer.length;
        }
    }

    @Test
    void pinnedAndPrivateRepositoriesKeepTheirBlobs() {
        Berth berth = new Berth("cache:\n  pin: ['docker.io/library/busy*']\n");
        Image pinned = image(berth, BUSYBOX, "latest", 1);
        Image unpinned = image(berth, ALPINE, "latest", 2);
        Image pushed = image(berth, APP, "v1", 3);

        assertEquals(new Evictor.Result(unpinned.bytes(), 3, unpinned.bytes()), berth.evictAll(),
                "pinned and private content does not count");

        assertFalse(berth.holds(ALPINE, unpinned.digest()));
        assertFalse(berth.holdsBlob(ALPINE, unpinned.layer()));
        assertTrue(berth.holds(BUSYBOX, pinned.digest()));
        assertTrue(berth.holdsBlob(BUSYBOX, pinned.layer()));
        assertTrue(berth.holds(APP, pushed.digest()));
        assertTrue(berth.rules.isEvictable(ALPINE));
        assertFalse(berth.rules.isEvictable(APP), "private");
        assertFalse(berth.rules.isEvictable(BUSYBOX), "pinned");
        assertFalse(berth.rules.isEvictable(RepoName.of("library/busybox")), "under no mirrored registry's name");
    }

    @Test
    void aPinnedTagKeepsItsIndexAndItsPlatformManifestsWithTheirBlobs() {
        Berth berth = new Berth("cache:\n  pin: ['docker.io/library/busybox:stable']\n");
        Image platform = image(berth, BUSYBOX, null, 4);
        byte[] index = TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX
                + "\",\"manifests\":[" + TestData.descriptor(MediaTypes.OCI_MANIFEST, platform.manifest()) + "]}");
        Digest indexDigest = berth.registry.repository(BUSYBOX)
                .putManifest(new Reference.Tag("stable"), index, MediaTypes.OCI_INDEX).digest();
        Image latest = image(berth, BUSYBOX, "latest", 5);

        assertEquals(new Evictor.Result(latest.bytes(), 3, latest.bytes()), berth.evictAll(),
                "only the unpinned tag's image");

        assertEquals(indexDigest, berth.registry.cache(BUSYBOX).tag("stable").orElseThrow().digest());
        assertTrue(berth.holds(BUSYBOX, indexDigest));
        assertTrue(berth.holds(BUSYBOX, platform.digest()));
        assertTrue(berth.holdsBlob(BUSYBOX, platform.layer()));
        assertTrue(berth.holdsBlob(BUSYBOX, platform.config()));
        assertFalse(berth.holds(BUSYBOX, latest.digest()));
        assertFalse(berth.holdsBlob(BUSYBOX, latest.layer()));
    }

    /**
     * A pin from the admin API lives in the store: a berth started later over it (a restart, or another instance on
     * the bucket) keeps the pinned image, and once unpinned the image goes like any other.
     */
    @Test
    void aTagPinnedInTheStoreIsKeptByEveryBerthOverItUntilUnpinned() {
        Berth first = new Berth("");
        Image pinned = image(first, BUSYBOX, "latest", 6);
        Image other = image(first, ALPINE, "latest", 7);
        first.pins.pin(BUSYBOX, "latest", "alice");

        Berth second = new Berth("");
        assertEquals(List.of("docker.io/library/busybox:latest"), second.pins.all());
        assertEquals(new Evictor.Result(other.bytes(), 3, other.bytes()), second.evictAll(), "only the unpinned image");
        assertTrue(second.holds(BUSYBOX, pinned.digest()));
        assertTrue(second.holdsBlob(BUSYBOX, pinned.layer()));
        assertFalse(second.holds(ALPINE, other.digest()));

        assertTrue(second.pins.unpin(BUSYBOX, "latest"));
        assertEquals(new Evictor.Result(pinned.bytes(), 3, pinned.bytes()), first.evictAll());
        assertFalse(first.holds(BUSYBOX, pinned.digest()));
    }

    /** Stores an image of a config and one layer from {@code seed} in {@code name}, at {@code tag} or by digest. */
    private static Image image(Berth berth, RepoName name, String tag, long seed) {
        WritableRepository repo = berth.registry.repository(name);
        byte[] config = TestData.utf8("{\"seed\":" + seed + "}");
        byte[] layer = TestData.bytes(1000, seed);
        for (byte[] blob : List.of(config, layer)) {
            repo.putBlob(new ByteArrayInputStream(blob), Digest.sha256(blob));
        }
        byte[] manifest = TestData.ociManifest(config, layer);
        Reference reference = tag == null ? new Reference.ByDigest(Digest.sha256(manifest)) : new Reference.Tag(tag);
        return new Image(repo.putManifest(reference, manifest, MediaTypes.OCI_MANIFEST).digest(), manifest, config,
                layer);
    }
}
