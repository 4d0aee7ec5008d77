package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.ChildBerth;
import dev.berth.support.DistributionRegistry;
import dev.berth.support.FreePort;
import dev.berth.support.Poll;
import dev.berth.support.RequestLog;
import dev.berth.support.S3Server;
import dev.berth.support.Scrape;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import dev.berth.oci.MediaTypes;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet of three berths on one bucket whose upstream, a Debian docker-registry, is stopped with SIGSTOP while the
 * fleet holds two tags of an image: every member serves the tags, the tag list and the blobs within twice the
 * revalidate-timeout (not the 60 s read timeout), the blobs without asking the upstream, and the tag's owner asks the
 * frozen upstream about it once for the whole fleet.
 */
class FrozenUpstreamFleetTest {
    private static final String REPO = "library/busybox";
    private static final Duration TAG_TTL = Duration.ofSeconds(1);
    private static final Duration REVALIDATE = Duration.ofSeconds(2);

    @TempDir
    Path work;

    private S3Server s3;
    private DistributionRegistry registry;
    private final List<URI> members = new ArrayList<>();
    private final List<ChildBerth> berths = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        s3 = S3Server.start(work.resolve("s3"));
        s3.createBucket("berth");
        registry = DistributionRegistry.start(work.resolve("upstream"));
        Files.writeString(work.resolve("cluster.key"), Base64.getEncoder().encodeToString(TestData.bytes(32, 5)));
    }

    @AfterEach
    void stop() throws Exception {
        berths.forEach(ChildBerth::close);
        registry.thaw();
        registry.close();
        s3.close();
    }

    @Test
    @Timeout(180)
    void everyMemberServesCachedTagsTagListsAndBlobsOfAFrozenUpstreamWithinTheRevalidateTimeout() throws Exception {
        byte[] config = TestData.utf8("{\"architecture\":\"amd64\"}");
        byte[] layer1 = TestData.bytes(200_000, 31);
        byte[] layer2 = TestData.bytes(150_000, 32);
        TestClient upstream = new TestClient(URI.create(registry.url()));
        byte[] one = push(upstream, "1", config, layer1);
        byte[] two = push(upstream, "2", config, layer2);
        startFleet();
        for (int i = 0; i < 3; i++) {
            pullAll(client(i), one, two, config, layer1, layer2);
        }
        Instant cached = Instant.now();
        int before = registry.requests().size();

        registry.freeze();
        Poll.until(() -> Instant.now().isAfter(cached.plus(TAG_TTL)), "the cached tags past their TTL");
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            TestClient client = client(i);
            int member = i;
            within(2 * REVALIDATE.toMillis(), "tag 1 from member " + member,
                    () -> assertManifest(client.get("/v2/busybox/manifests/1"), one));
            within(2 * REVALIDATE.toMillis(), "tag 2 from member " + member,
                    () -> assertManifest(client.get("/v2/busybox/manifests/2"), two));
            within(2 * REVALIDATE.toMillis(), "the tag list from member " + member, () -> {
                HttpResponse<byte[]> tags = client.get("/v2/busybox/tags/list");
                assertEquals(200, tags.statusCode(), () -> new String(tags.body()));
                assertTrue(new String(tags.body()).contains("\"tags\":[\"1\",\"2\"]"), new String(tags.body()));
            });
            within(2 * REVALIDATE.toMillis(), "the blobs from member " + member, () -> {
                for (byte[] blob : List.of(config, layer1, layer2)) {
                    assertBlob(client, blob);
                }
            });
        }
        long all = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(all < 20_000, () -> "three members took " + all + " ms, as long as timeouts of the upstream");

        // Thawed, the registry answers what it was sent while frozen: that is what the fleet asked of it.
        registry.thaw();
        Poll.until(() -> since(before, "HEAD", "/manifests/1") >= 1, "the frozen registry's requests answered");
        assertEquals(1, since(before, "HEAD", "/manifests/1"), "tag 1 asked about once, by its owner, for the fleet");
        assertTrue(since(before, "HEAD", "/manifests/2") <= 1, "tag 2 asked about at most once");
        assertTrue(since(before, "GET", "/tags/list") <= 3, "the tag list asked for at most once per member");
        assertEquals(0, since(before, "GET", "/blobs/"), "no blob asked for");
        assertEquals(0, since(before, "GET", "/manifests/"), "no manifest fetched");
    }

    /** Pushes an image to the registry, whose uploads are chunked (it has no monolithic POST); its manifest. */
    private static byte[] push(TestClient upstream, String tag, byte[] config, byte[] layer) {
        upstream.pushBlob(REPO, new ByteArrayInputStream(config));
        upstream.pushBlob(REPO, new ByteArrayInputStream(layer));
        byte[] manifest = TestData.ociManifest(config, layer);
        assertEquals(201, upstream.putManifest(REPO, tag, manifest, MediaTypes.OCI_MANIFEST).statusCode());
        return manifest;
    }

    private void pullAll(TestClient client, byte[] one, byte[] two, byte[]... blobs) {
        assertManifest(client.get("/v2/busybox/manifests/1"), one);
        assertManifest(client.get("/v2/busybox/manifests/2"), two);
        for (byte[] blob : blobs) {
            assertBlob(client, blob);
        }
        assertEquals(200, client.get("/v2/busybox/tags/list").statusCode());
    }

    private long since(int before, String method, String pathPart) {
        List<RequestLog.Request> requests = registry.requests();
        return requests.subList(before, requests.size()).stream()
                .filter(r -> r.method().equals(method) && r.path().contains(pathPart)).count();
    }

    private static void within(long millis, String what, Runnable action) {
        long start = System.nanoTime();
        action.run();
        long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(took < millis, () -> what + " took " + took + " ms");
    }

    private static void assertManifest(HttpResponse<byte[]> r, byte[] manifest) {
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        assertArrayEquals(manifest, r.body());
    }

    private static void assertBlob(TestClient client, byte[] blob) {
        HttpResponse<byte[]> r = client.get("/v2/busybox/blobs/" + TestData.digest(blob));
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        assertEquals(TestData.digest(blob), TestData.digest(r.body()));
    }

    private void startFleet() throws Exception {
        for (int i = 0; i < 3; i++) {
            members.add(URI.create("http://127.0.0.1:" + FreePort.pick()));
        }
        String peers = members.stream().map(m -> "'" + m + "'").collect(Collectors.joining(", "));
        for (int i = 0; i < 3; i++) {
            berths.add(ChildBerth.startWithConfig("""
                    server: {host: 127.0.0.1, port: %d}
                    storage:
                      root: '%s'
                      s3: {endpoint: '%s', bucket: berth, access-key: %s, secret-key: %s}
                    cluster: {peers: [%s], self: '%s', secret-file: '%s'}
                    mirror:
                      upstreams: [{registry: docker.io, url: '%s', default: true, tag-ttl: %dms,
                                   revalidate-timeout: %dms}]
                    """.formatted(members.get(i).getPort(), work.resolve("local-" + i), s3.endpoint(),
                    S3Server.ACCESS_KEY, S3Server.SECRET_KEY, peers, members.get(i), work.resolve("cluster.key"),
                    registry.url(), TAG_TTL.toMillis(), REVALIDATE.toMillis())));
        }
        for (int i = 0; i < 3; i++) {
            int member = i;
            Poll.until(() -> Scrape.of(client(member)).value("berth_fleet_members_live", Map.of()) == 3,
                    "member " + member + " sees the fleet", Duration.ofSeconds(20));
        }
    }

    private TestClient client(int member) {
        return new TestClient(members.get(member));
    }
}
