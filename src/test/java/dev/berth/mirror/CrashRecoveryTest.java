package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.support.ChildBerth;
import dev.berth.support.HeldBody;
import dev.berth.support.MockHub;
import dev.berth.support.Poll;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * berth killed with SIGKILL while 20 pushes and 20 cold pulls are in flight, then started again on the same data
 * directory: completed pushes are intact, nothing partial is visible, and the interrupted pulls are fetched anew.
 */
class CrashRecoveryTest {
    private static final int CLIENTS = 20;
    private static final int LAYER = 3 * 1024 * 1024;
    /** Pushes with an odd index stop sending after this many layer bytes, so they are cut off by the kill. */
    private static final int SENT_BEFORE_STALL = 1024 * 1024;
    private static final int COMPLETED_PUSHES_BEFORE_KILL = 5;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @StartStop
    public final MockWebServer hubServer = new MockWebServer();
    @TempDir
    Path root;

    private final MockHub hub = new MockHub(hubServer, null, MockHub.DOCKER_HUB_SERVICE);
    private final Map<Integer, byte[]> pushedManifests = new ConcurrentHashMap<>();
    private final CountDownLatch killed = new CountDownLatch(1);

    @Test
    void killDuringPushesAndPullsLosesNothingCompletedAndShowsNothingPartial() throws Exception {
        List<MockHub.Image> images = new ArrayList<>();
        List<HeldBody> held = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            MockHub.Image image = hub.image("library/cold" + i, "latest", TestData.utf8("{\"n\":" + i + "}"),
                    TestData.bytes(LAYER, 1000 + i));
            HeldBody body = HeldBody.thenRest(image.layers().getFirst(), MirrorTestBase.FIRST_PART);
            hub.override("GET", MockHub.blobPath(image.repository(), image.layers().getFirst()), body.response());
            images.add(image);
            held.add(body);
        }
        String yaml = "mirror:\n  upstreams:\n    - {registry: docker.io, url: '" + hub.url() + "', default: true}\n"
                + "private:\n  repositories: ['team/*']\n";
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        List<AtomicLong> pulled = new ArrayList<>();
        try (ChildBerth berth = ChildBerth.start(List.of(), root, yaml)) {
            TestClient client = berth.client();
            for (MockHub.Image image : images) {
                AtomicLong received = new AtomicLong();
                pulled.add(received);
                clients.submit(() -> pull(client, image, received));
            }
            for (int i = 0; i < CLIENTS; i++) {
                int n = i;
                clients.submit(() -> push(client, n));
            }
            Poll.until(() -> pulled.stream().allMatch(r -> r.get() > 0) && pushedManifests.size()
                    >= COMPLETED_PUSHES_BEFORE_KILL, "every pull under way and some pushes done", DEADLINE);
            berth.kill();
        } finally {
            killed.countDown();
            held.forEach(HeldBody::release);
            clients.shutdown();
            assertTrue(clients.awaitTermination(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        }
        assertFalse(list(root.resolve(".tmp")).isEmpty(), "the kill interrupted downloads or writes");

        try (ChildBerth berth = ChildBerth.start(List.of(), root, yaml)) {
            assertTrue(list(root.resolve(".tmp")).isEmpty(), "temporary files are removed at start");
            assertEveryBlobHashesToItsName();
            TestClient client = berth.client();
            assertFalse(pushedManifests.isEmpty());
            pushedManifests.forEach((n, manifest) -> assertPushIntact(client, n, manifest));
            for (MockHub.Image image : images) {
                String path = MockHub.blobPath(image.repository(), image.layers().getFirst());
                MirrorTestBase.assertBlob(client.get(path), image.layers().getFirst());
                assertEquals(2, hub.served("GET", path), "the interrupted download is fetched anew");
            }
        }
    }

    private void pull(TestClient client, MockHub.Image image, AtomicLong received) {
        HttpResponse<byte[]> manifest = client.get(MockHub.manifestPath(image.repository(), "latest"));
        assertEquals(200, manifest.statusCode());
        try (InputStream body = client.stream(MockHub.blobPath(image.repository(), image.layers().getFirst())).body()) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = body.read(buffer)) >= 0) {
                received.addAndGet(n);
            }
        } catch (IOException | UncheckedIOException e) {
            // cut off by the kill, as intended
        }
    }

    /** Pushes team/app{n}: even ones whole, odd ones stall in the layer's body until the kill. */
    private void push(TestClient client, int n) {
        String repo = "team/app" + n;
        byte[] config = TestData.utf8("{\"push\":" + n + "}");
        byte[] layer = TestData.bytes(LAYER, n);
        try {
            client.pushBlob(repo, config);
            client.pushBlob(repo, n % 2 == 0 ? new ByteArrayInputStream(layer) : stallingStream(layer));
            byte[] manifest = TestData.ociManifest(config, layer);
            if (client.putManifest(repo, "1", manifest, "application/vnd.oci.image.manifest.v1+json")
                    .statusCode() == 201) {
                pushedManifests.put(n, manifest);
            }
        } catch (UncheckedIOException | AssertionError e) {
            // cut off by the kill: only pushes that got their 201 count
        }
    }

    private InputStream stallingStream(byte[] layer) {
        return new InputStream() {
            private int position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position == SENT_BEFORE_STALL) {
                    awaitKill();
                }
                if (position == layer.length) {
                    return -1;
                }
                int limit = position < SENT_BEFORE_STALL ? SENT_BEFORE_STALL : layer.length;
                int count = Math.min(len, limit - position);
                System.arraycopy(layer, position, b, off, count);
                position += count;
                return count;
            }
        };
    }

    private void awaitKill() {
        try {
            killed.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void assertPushIntact(TestClient client, int n, byte[] manifest) {
        String repo = "team/app" + n;
        HttpResponse<byte[]> got = client.get("/v2/" + repo + "/manifests/1");
        assertEquals(200, got.statusCode(), repo);
        assertArrayEquals(manifest, got.body(), repo);
        for (byte[] blob : List.of(TestData.utf8("{\"push\":" + n + "}"), TestData.bytes(LAYER, n))) {
            HttpResponse<byte[]> r = client.get("/v2/" + repo + "/blobs/" + TestData.digest(blob));
            assertEquals(200, r.statusCode(), repo);
            assertEquals(TestData.digest(blob), TestData.digest(r.body()), repo);
        }
    }

    private void assertEveryBlobHashesToItsName() throws IOException {
        List<Path> data;
        try (Stream<Path> walk = Files.walk(root.resolve("blobs"))) {
            data = walk.filter(Files::isRegularFile).toList();
        }
        assertFalse(data.isEmpty());
        for (Path file : data) {
            assertEquals("data", file.getFileName().toString(), () -> "stray file " + file);
            Path dir = file.getParent();
            String expected = dir.getParent().getParent().getFileName() + ":" + dir.getFileName();
            assertEquals(expected, Digest.sha256(Files.readAllBytes(file)).toString(), () -> "partial blob " + file);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        }
    }
}
