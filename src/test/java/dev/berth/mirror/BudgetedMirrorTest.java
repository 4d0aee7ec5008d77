package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.budget.AccessIndex;
import dev.berth.budget.BudgetEvents;
import dev.berth.budget.DiskBudget;
import dev.berth.budget.EvictionRules;
import dev.berth.budget.Evictor;
import dev.berth.budget.PinStore;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import dev.berth.fleet.Owners;
import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Reference;
import dev.berth.oci.RepoName;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.Repository;
import dev.berth.registry.StoredManifest;
import dev.berth.storage.FileSystemStorage;
import dev.berth.support.MockHub;
import dev.berth.support.MutableClock;
import dev.berth.support.TestData;
import dev.berth.upstream.UpstreamClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror under a disk budget: what pulls record, what a restart keeps, that an evicted image comes back from the
 * upstream (also in the middle of a pull), and that the blobs a pull stores call a round early. Rounds are run by
 * hand, as the scheduler would. What the rules keep and what rounds report: budget/EvictionRulesTest, DiskBudgetTest.
 */
class BudgetedMirrorTest {
    private static final OkHttpClient CONNECTIONS = new OkHttpClient();

    @StartStop
    public final MockWebServer hubServer = new MockWebServer();
    @StartStop
    public final MockWebServer authServer = new MockWebServer();
    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final MockHub hub = new MockHub(hubServer, authServer, MockHub.DOCKER_HUB_SERVICE);
    private final List<Berth> berths = new ArrayList<>();

    /** Before the data directory goes: downloads still write there a moment after their clients have every byte. */
    @AfterEach
    void awaitDownloads() {
        berths.forEach(Berth::awaitStored);
    }

    /** One berth process's worth of state over the data directory: what a start builds. */
    private final class Berth {
        final BerthConfig config;
        final LocalRegistry registry;
        final AccessIndex access;
        final EvictionRules rules;
        final MirrorService mirror;
        /** The early rounds the budget of {@code cache.max-bytes} asked for, not run until the test runs them. */
        final Queue<Runnable> earlyRounds = new ConcurrentLinkedQueue<>();

        Berth(String cacheYaml) {
            berths.add(this);
            config = ConfigLoader.fromYaml("mirror:\n  upstreams:\n    - {registry: docker.io, url: '" + hub.url()
                    + "', default: true}\nprivate:\n  repositories: ['team/*']\n" + cacheYaml);
            FileSystemStorage storage = new FileSystemStorage(root);
            registry = new LocalRegistry(storage, 4 << 20, 0);
            access = AccessIndex.load(storage, clock);
            rules = new EvictionRules(config, registry, new PinStore(storage));
            DiskBudget budget = new DiskBudget(evictor(config.cache().maxBytes()), access,
                    BudgetEvents.NONE, earlyRounds::add);
            mirror = new MirrorService(config, registry, u -> new UpstreamClient(u, CONNECTIONS, clock), clock,
                    access, budget::stored, MirrorEvents.NONE, Owners.alone());
        }

        Evictor evictor(long maxBytes) {
            return new Evictor(registry, maxBytes, rules::isEvictable, rules::pinned, access::lastAccess);
        }

        Evictor.Result evict(long maxBytes) {
            return evictor(maxBytes).evict();
        }

        /** Pulls the image by tag and reads each of its blobs to the end, as a client does. */
        void pull(MockHub.Image image) {
            Repository repo = mirror.router().repository(RepoName.of(image.repository()), Optional.empty());
            assertEquals(image.digest(), repo.manifest(new Reference.Tag("latest")).digest());
            assertBlobsServed(repo, image);
            // A client has the last byte before the blob is stored: the rounds count it once stored.
            awaitStored();
        }

        /** Waits until the downloads under way are stored. */
        void awaitStored() {
            try {
                assertTrue(mirror.awaitBlobFills(Duration.ofSeconds(10)), "the pulled blobs stored");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        boolean cached(MockHub.Image image, byte[] blob) {
            return registry.repository(cachedName(image)).blobSize(Digest.sha256(blob)).isPresent();
        }

        boolean cachedManifest(MockHub.Image image) {
            return registry.cache(cachedName(image)).manifest(image.digest()).isPresent();
        }

        private static RepoName cachedName(MockHub.Image image) {
            return RepoName.of("docker.io/" + image.repository());
        }
    }

    @Test
    void theLeastRecentlyPulledImageGoesAndARestartKeepsTheOrder() {
        Berth first = new Berth("");
        MockHub.Image a = hub.image("library/a", "latest", 1);
        MockHub.Image b = hub.image("library/b", "latest", 2);
        MockHub.Image c = hub.image("library/c", "latest", 3);
        first.pull(a);
        clock.advance(Duration.ofMinutes(1));
        first.pull(b);
        clock.advance(Duration.ofMinutes(1));
        first.pull(c);
        clock.advance(Duration.ofMinutes(1));
        // Stored first, pulled last: without the access index, a would be the oldest.
        first.pull(a);
        first.access.save();

        Berth restarted = new Berth("");
        long total = bytes(a) + bytes(b) + bytes(c);
        Evictor.Result result = restarted.evict(total - bytes(b));

        assertEquals(new Evictor.Result(total, 3, bytes(b)), result, "b's manifest, config and layer");
        assertFalse(restarted.cachedManifest(b));
        assertFalse(restarted.cached(b, b.config()));
        assertFalse(restarted.cached(b, b.layers().getFirst()));
        assertTrue(restarted.cached(a, a.layers().getFirst()), "pulled most recently, before the restart");
        assertTrue(restarted.cachedManifest(a), "its tag was pulled most recently too");
        assertTrue(restarted.cached(c, c.layers().getFirst()));
    }

    @Test
    void anEvictedImageIsFetchedFromTheUpstreamAgain() {
        Berth berth = new Berth("");
        MockHub.Image image = hub.image("library/busybox", "latest", 4);
        berth.pull(image);
        String manifestGet = "GET " + MockHub.manifestPath("library/busybox", image.digest().toString()) + " 200";
        String layerGet = "GET " + MockHub.blobPath("library/busybox", image.layers().getFirst()) + " 200";
        assertEquals(1, hub.log().stream().filter(manifestGet::equals).count());
        assertEquals(1, hub.log().stream().filter(layerGet::equals).count());

        assertEquals(3, berth.evict(0).digests(), "the manifest, the config and the layer");
        assertFalse(berth.cachedManifest(image));
        assertFalse(berth.cached(image, image.layers().getFirst()));

        // Within the tag's TTL, yet the tag went with its manifest: the pull asks the upstream again.
        berth.pull(image);
        assertEquals(2, hub.log().stream().filter(manifestGet::equals).count(), "the manifest fetched again, once");
        assertEquals(2, hub.log().stream().filter(layerGet::equals).count(), "the layer fetched again, once");
        assertTrue(berth.cachedManifest(image));
        assertTrue(berth.cached(image, image.layers().getFirst()));
    }

    /** A client that read the index, then the platform manifest, when both are evicted: the pull still completes. */
    @Test
    void aPullThatAnEvictionInterruptsCompletesFromTheUpstream() {
        Berth berth = new Berth("");
        MockHub.Image platform = seedIndex("latest", 10);
        byte[] index = indexOf(platform);
        Repository busybox = berth.mirror.router().repository(RepoName.of("library/busybox"), Optional.empty());
        assertArrayEquals(index, busybox.manifest(new Reference.Tag("latest")).bytes());
        StoredManifest held = busybox.manifest(new Reference.ByDigest(platform.digest()));

        assertEquals(2, berth.evict(0).digests(), "the index and the platform manifest");

        assertArrayEquals(platform.manifest(), held.bytes(), "what was served stays whole");
        assertArrayEquals(platform.manifest(), busybox.manifest(new Reference.ByDigest(platform.digest())).bytes());
        assertEquals(2, hub.served("GET", MockHub.manifestPath("library/busybox", platform.digest().toString())),
                "the platform manifest is fetched again");
        assertBlobsServed(busybox, platform);
    }

    /** A burst of pulls between scheduled rounds: the blob that passes the budget calls one round early. */
    @Test
    void blobsStoredPastTheBudgetCallOneEarlyRound() {
        MockHub.Image big = hub.image("library/big", "latest", TestData.utf8("{\"big\":true}"),
                TestData.bytes(9000, 1));
        MockHub.Image small = hub.image("library/small", "latest", TestData.utf8("{\"small\":true}"),
                TestData.bytes(1000, 2));
        long blobsOfBig = bytes(big) - big.manifest().length;
        Berth berth = new Berth("cache:\n  max-bytes: " + (blobsOfBig + 10) + "\n");
        berth.pull(big);
        assertTrue(berth.earlyRounds.isEmpty(), "within the budget");
        clock.advance(Duration.ofMinutes(1));

        berth.pull(small);
        assertEquals(1, berth.earlyRounds.size(), "the config passed the budget; the layer found a round pending");
        berth.earlyRounds.remove().run();
        assertFalse(berth.cached(big, big.layers().getFirst()), "the least recently pulled layer went");
        assertTrue(berth.cachedManifest(small));
        assertTrue(berth.cached(small, small.layers().getFirst()));

        berth.pull(big);
        assertEquals(1, berth.earlyRounds.size(), "once a round ran, the next blob past the budget calls another");
    }

    /** Reads each blob of {@code image} to the end through {@code repo}, as a client does, checking the bytes. */
    private static void assertBlobsServed(Repository repo, MockHub.Image image) {
        assertEquals(TestData.digest(image.config()), TestData.servedDigest(repo, Digest.sha256(image.config())));
        for (byte[] layer : image.layers()) {
            assertEquals(TestData.digest(layer), TestData.servedDigest(repo, Digest.sha256(layer)));
        }
    }

    /** Seeds into the hub's busybox an image from {@code seed} and, at {@code tag}, an index naming it; returns it. */
    private MockHub.Image seedIndex(String tag, long seed) {
        MockHub.Image platform = hub.image("library/busybox", null, seed);
        hub.manifest("library/busybox", tag, indexOf(platform), MediaTypes.OCI_INDEX);
        return platform;
    }

    /** An OCI index naming {@code platform}'s manifest. */
    private static byte[] indexOf(MockHub.Image platform) {
        return TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + TestData.descriptor(MediaTypes.OCI_MANIFEST, platform.manifest()) + "]}");
    }

    private static long bytes(MockHub.Image image) {
        return image.manifest().length + image.config().length + image.layers().stream().mapToLong(l -> l.length).sum();
    }

}
