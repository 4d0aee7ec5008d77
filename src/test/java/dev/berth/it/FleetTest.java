package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.auth.ClusterSecret;
import dev.berth.fleet.PeerSignature;
import dev.berth.fleet.Rendezvous;
import dev.berth.oci.MediaTypes;
import dev.berth.support.BlobDownload;
import dev.berth.support.ChildBerth;
import dev.berth.support.DistributionRegistry;
import dev.berth.support.FreePort;
import dev.berth.support.Nginx;
import dev.berth.support.OciLayoutAssertions;
import dev.berth.support.OciLayoutBuilder.Blob;
import dev.berth.support.OciLayoutBuilder.Image;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.Poll;
import dev.berth.support.RequestLog;
import dev.berth.support.RunningBerth;
import dev.berth.support.S3Server;
import dev.berth.support.Scrape;
import dev.berth.support.SeedImage;
import dev.berth.support.Skopeo;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three berths on one S3 bucket (s3proxy) that know each other as a fleet, mirroring a Debian docker-registry whose
 * access log says what the fleet asked it: each cold blob is fetched once for the whole fleet, by its owner, and
 * relayed to the others as it arrives; an owner killed mid-fill costs no client a wrong byte; an edge berth in front
 * of the fleet's balancer costs the registry one GET per layer; a registry stopped with SIGSTOP holds no member up
 * longer than the revalidate-timeout.
 */
class FleetTest {
    private static final int MIB = 1024 * 1024;
    private static final String REPO = "library/busybox";
    private static final String PEERS_HOST = "berth-fleet.test";
    private static final Duration TAG_TTL = Duration.ofSeconds(1);
    private static final Duration REVALIDATE = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path work;

    private S3Server s3;
    private DistributionRegistry registry;
    /** The nginx a test put in front of the upstream or of the fleet, if any. */
    private Nginx nginx;
    private final List<URI> members = new ArrayList<>();
    private final List<ChildBerth> berths = new ArrayList<>();

    @BeforeEach
    void startStoreAndUpstream() throws Exception {
        s3 = S3Server.start(work.resolve("s3"));
        s3.createBucket("berth");
        registry = DistributionRegistry.start(work.resolve("upstream"));
        Files.writeString(work.resolve("cluster.key"), Base64.getEncoder().encodeToString(TestData.bytes(32, 5)));
    }

    @AfterEach
    void stopAll() throws Exception {
        berths.forEach(ChildBerth::close);
        if (nginx != null) {
            nginx.close();
        }
        // A test may have left it frozen; a stopped process would not take SIGTERM.
        registry.thaw();
        registry.close();
        s3.close();
    }

    @Test
    @Timeout(240)
    void sixtyColdClientsOfOneBlobOnThreeInstancesMakeOneUpstreamGet() throws Exception {
        startFleet(registry.url());
        long size = 64L * MIB;
        String digest = new TestClient(URI.create(registry.url())).pushBlob(REPO, TestData.stream(size, 13));

        List<BlobDownload> got = downloadAtOnce(digest, members, 20);

        assertEquals(60, got.size());
        for (BlobDownload download : got) {
            assertRight(download, digest, size);
        }
        assertEquals(1, upstreamGets(digest), "upstream GETs of the blob");
        // Two instances relayed it from the third, which served them; nobody fell back to the upstream.
        assertEquals(2.0, fleetSum("berth_peer_fetched_total", "blob"));
        assertEquals(2.0, fleetSum("berth_peer_served_total", "blob"));
        assertEquals(0.0, fleetSum("berth_peer_fallbacks_total", "blob"));
    }

    @Test
    @Timeout(240)
    void aTenLayerImagePulledAtOnceThroughThreeInstancesCostsOneUpstreamGetPerLayer() throws Exception {
        Path seed = work.resolve("seed");
        OciLayoutBuilder layout = new OciLayoutBuilder(seed, 21);
        Image image = layout.image("amd64", 10, 2 * MIB);
        layout.tag("1", image.manifest());
        Skopeo skopeo = Skopeo.find();
        skopeo.copy("oci:" + seed + ":1", "docker://" + registry.hostPort() + "/" + REPO + ":1", "--preserve-digests");
        startFleet(registry.url());

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Path>> pulls = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < 3; i++) {
                URI member = members.get(i);
                Path out = work.resolve("pulled-" + i);
                pulls.add(threads.submit(() -> {
                    go.await();
                    skopeo.copy("docker://" + member.getAuthority() + "/busybox:1", "oci:" + out + ":1");
                    return out;
                }));
            }
            go.countDown();
            for (Future<Path> pull : pulls) {
                OciLayoutAssertions.assertSameBlobs(seed, pull.get(), image);
            }
        }
        List<Blob> blobs = new ArrayList<>(image.layers());
        blobs.add(image.config());
        assertAll(blobs.stream().map(blob -> () ->
                assertEquals(1, upstreamGets(blob.digest()), "upstream GETs of " + blob.digest())));
    }

    @Test
    @Timeout(240)
    void theOwnerKilledInTheMiddleOfAFillCostsNoClientAWrongByteAndTheNextPullSucceeds() throws Exception {
        // 8 MB/s: 64 MiB take eight seconds to arrive, so the owner dies with most of it still on its way.
        nginx = Nginx.start(work.resolve("slow"), List.of(registry.port()), "limit_rate 8m;");
        startFleet("http://127.0.0.1:" + nginx.port());
        long size = 64L * MIB;
        String digest = new TestClient(URI.create(registry.url())).pushBlob(REPO, TestData.stream(size, 17));
        int owner = members.indexOf(Rendezvous.ranked(digest, members).get(0));
        int watched = (owner + 1) % 3;

        List<BlobDownload> got;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<List<BlobDownload>> clients = threads.submit(() -> downloadAtOnce(digest, members, 4));
            // A client of another instance has its first bytes while the owner's download runs: relayed as they come.
            try (InputStream body = HTTP.send(blobRequest(members.get(watched), digest),
                    HttpResponse.BodyHandlers.ofInputStream()).body()) {
                body.readNBytes(4 * MIB);
                berths.get(owner).kill();
                // The rest of this client's download comes through its instance's own upstream fetch.
                byte[] rest = body.readAllBytes();
                assertEquals(size - 4 * MIB, rest.length, "bytes after the owner died");
            }
            got = clients.get();
        }
        for (int i = 0; i < got.size(); i++) {
            BlobDownload download = got.get(i);
            boolean complete = download.status() == 200 && !download.broken() && download.bytes() == size;
            assertTrue(!complete || download.digest().equals(digest), "a complete response with wrong bytes");
            assertTrue(complete || download.broken() || download.status() == 503 || download.bytes() < size,
                    "client " + i + ": " + download);
            if (i / 4 != owner) {
                assertRight(download, digest, size);
            }
        }
        for (int i = 0; i < 3; i++) {
            if (i != owner) {
                assertRight(BlobDownload.of(HTTP.send(blobRequest(members.get(i), digest),
                        HttpResponse.BodyHandlers.ofInputStream())), digest, size);
            }
        }
    }

    /**
     * Members that start apart, as a rolling start or a restart does: each one's first requests, made the moment it
     * says it listens, already agree on every owner with the members up, so each cold blob costs one upstream GET.
     */
    @Test
    @Timeout(240)
    void instancesStartingApartAgreeOnTheOwnerFromTheirFirstRequest() throws Exception {
        for (int i = 0; i < 3; i++) {
            members.add(URI.create("http://127.0.0.1:" + FreePort.pick()));
        }
        String peers = members.stream().map(m -> "'" + m + "'").collect(Collectors.joining(", "));
        TestClient upstream = new TestClient(URI.create(registry.url()));
        for (int started = 1; started <= 3; started++) {
            List<String> digests = new ArrayList<>();
            for (int blob = 0; blob < 8; blob++) {
                digests.add(upstream.pushBlob(REPO, TestData.stream(MIB, 100 * started + blob)));
            }
            int i = started - 1;
            berths.add(ChildBerth.startWithConfig(config(i, registry.url(),
                    "peers: [" + peers + "], self: '" + members.get(i) + "'")));
            List<URI> up = members.subList(0, started);
            for (String digest : digests) {
                for (BlobDownload download : downloadAtOnce(digest, up, 2)) {
                    assertRight(download, digest, MIB);
                }
            }
            int now = started;
            assertAll(digests.stream().map(digest -> () -> assertEquals(1, upstreamGets(digest),
                    "upstream GETs of " + digest + " with " + now + " members up")));
        }
    }

    @Test
    @Timeout(240)
    void aFleetFoundByDnsWithOneMemberLeftWorksLikeASingleBerth() throws Exception {
        Path hosts = work.resolve("hosts");
        int port = FreePort.pick();
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            members.add(URI.create("http://127.0.0." + i + ":" + port));
            lines.add("127.0.0." + i + " " + PEERS_HOST);
        }
        Files.write(hosts, lines);
        for (int i = 0; i < 3; i++) {
            berths.add(ChildBerth.startWithConfig(config(i, registry.url(),
                    "peers-dns: 'http://" + PEERS_HOST + ":" + port + "'"), "-Djdk.net.hosts.file=" + hosts));
        }
        awaitLive(3);

        berths.get(1).kill();
        berths.get(2).kill();
        long size = 8L * MIB;
        String digest = new TestClient(URI.create(registry.url())).pushBlob(REPO, TestData.stream(size, 19));
        for (BlobDownload download : downloadAtOnce(digest, List.of(members.get(0)), 10)) {
            assertRight(download, digest, size);
        }
        assertEquals(1, upstreamGets(digest), "upstream GETs of the blob");
        Poll.until(() -> live(0) == 1, "the two killed members left out", Duration.ofSeconds(10));
    }

    @Test
    @Timeout(120)
    void thePeerEndpointServesSignedRequestsOnlyAndIsNotPartOfTheRegistryApi() throws Exception {
        startFleet(registry.url());
        byte[] blob = TestData.bytes(MIB, 23);
        String digest = new TestClient(URI.create(registry.url())).pushBlob(REPO, new ByteArrayInputStream(blob));
        String path = "/peer/docker.io/" + REPO + "/blobs/" + digest;
        ClusterSecret secret = ClusterSecret.load(work.resolve("cluster.key"));
        Path otherKey = Files.writeString(work.resolve("other.key"), "another secret of at least thirty-two chars");

        assertRefused(401, "UNAUTHORIZED", peerGet(path, Map.of()));
        assertRefused(403, "DENIED", peerGet(path, new PeerSignature(ClusterSecret.load(otherKey), Clock.systemUTC())
                .sign("GET", path)));
        assertRefused(403, "DENIED", peerGet(path, new PeerSignature(secret,
                Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-2))).sign("GET", path)));
        assertRefused(403, "DENIED", peerGet(path + "?x=1", new PeerSignature(secret, Clock.systemUTC())
                .sign("GET", path)));
        // The registry API knows no such path, signed or not.
        HttpResponse<byte[]> viaApi = peerGet("/v2" + path, new PeerSignature(secret, Clock.systemUTC())
                .sign("GET", "/v2" + path));
        assertEquals(404, viaApi.statusCode());

        HttpResponse<byte[]> signed = peerGet(path, new PeerSignature(secret, Clock.systemUTC()).sign("GET", path));
        assertEquals(200, signed.statusCode(), new String(signed.body()));
        assertEquals(digest, TestData.digest(signed.body()));
        assertEquals(1, upstreamGets(digest));
    }

    @Test
    @Timeout(240)
    void anEdgeBerthInFrontOfTheFleetCostsTheRegistryOneGetPerLayer() throws Exception {
        Skopeo skopeo = Skopeo.find();
        SeedImage seed = SeedImage.write(work.resolve("seed"), 27, 5, 2 * MIB, "1");
        seed.pushTo(registry, REPO, skopeo);
        long size = 32L * MIB;
        String cold = new TestClient(URI.create(registry.url())).pushBlob(REPO, TestData.stream(size, 29));
        startFleet(registry.url());
        // The edge reaches the fleet as a remote site would: through the balancer, each request to any instance.
        nginx = Nginx.start(work.resolve("balancer"), berths.stream().map(ChildBerth::port).toList());
        try (RunningBerth edge = RunningBerth.start(work.resolve("edge"), "mirror: {upstreams: [{registry: docker.io,"
                + " url: 'http://127.0.0.1:" + nginx.port() + "', default: true}]}\n")) {
            URI edgeUrl = URI.create("http://127.0.0.1:" + edge.port());
            Path out = work.resolve("through-the-edge");
            skopeo.copy("docker://" + edgeUrl.getAuthority() + "/busybox:1", "oci:" + out + ":1");
            seed.assertPulled(out);

            for (BlobDownload download : downloadAtOnce(cold, List.of(edgeUrl), 20)) {
                assertRight(download, cold, size);
            }
        }
        List<Blob> blobs = new ArrayList<>(seed.image().layers());
        blobs.add(seed.image().config());
        assertAll(blobs.stream().map(blob -> () ->
                assertEquals(1, upstreamGets(blob.digest()), "upstream GETs of " + blob.digest())));
        assertEquals(1, upstreamGets(cold), "upstream GETs of the blob 20 edge clients asked for at once");
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
        startFleet(registry.url(), ", tag-ttl: " + TAG_TTL.toMillis() + "ms, revalidate-timeout: "
                + REVALIDATE.toMillis() + "ms");
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
        assertEquals(0, since(before, "GET", "/blobs/") + since(before, "HEAD", "/blobs/"), "no blob asked about");
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

    private static void pullAll(TestClient client, byte[] one, byte[] two, byte[]... blobs) {
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

    private void startFleet(String upstreamUrl) throws Exception {
        startFleet(upstreamUrl, "");
    }

    /** Three members mirroring {@code upstreamUrl}, with {@code upstreamOptions} (", key: value...") on it. */
    private void startFleet(String upstreamUrl, String upstreamOptions) throws Exception {
        for (int i = 0; i < 3; i++) {
            members.add(URI.create("http://127.0.0.1:" + FreePort.pick()));
        }
        String peers = members.stream().map(m -> "'" + m + "'").collect(Collectors.joining(", "));
        for (int i = 0; i < 3; i++) {
            berths.add(ChildBerth.startWithConfig(config(i, upstreamUrl,
                    "peers: [" + peers + "], self: '" + members.get(i) + "'", upstreamOptions)));
        }
        awaitLive(3);
    }

    private String config(int i, String upstreamUrl, String membership) {
        return config(i, upstreamUrl, membership, "");
    }

    private String config(int i, String upstreamUrl, String membership, String upstreamOptions) {
        return """
                server: {host: %s, port: %d}
                storage:
                  root: '%s'
                  s3: {endpoint: '%s', bucket: berth, access-key: %s, secret-key: %s}
                cluster: {%s, secret-file: '%s'}
                mirror:
                  upstreams: [{registry: docker.io, url: '%s', default: true%s}]
                """.formatted(members.get(i).getHost(), members.get(i).getPort(), work.resolve("local-" + i),
                s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET_KEY, membership, work.resolve("cluster.key"),
                upstreamUrl, upstreamOptions);
    }

    private void awaitLive(int count) throws InterruptedException {
        for (int i = 0; i < berths.size(); i++) {
            int berth = i;
            Poll.until(() -> live(berth) == count, "instance " + berth + " sees " + count + " live members",
                    Duration.ofSeconds(20));
        }
    }

    private double live(int berth) {
        return Scrape.of(client(berth)).value("berth_fleet_members_live", Map.of());
    }

    private double fleetSum(String counter, String kind) {
        return berths.stream().mapToDouble(b -> Scrape.of(b.client()).value(counter, Map.of("kind", kind))).sum();
    }

    private TestClient client(int berth) {
        return new TestClient(members.get(berth));
    }

    private static HttpRequest blobRequest(URI berth, String digest) {
        return HttpRequest.newBuilder(berth.resolve("/v2/busybox/blobs/" + digest)).build();
    }

    /** {@code perInstance} clients of each berth in {@code instances} ask for the blob at the same moment. */
    private static List<BlobDownload> downloadAtOnce(String digest, List<URI> instances, int perInstance)
            throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<BlobDownload>> downloads = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (URI instance : instances) {
                for (int i = 0; i < perInstance; i++) {
                    HttpRequest request = blobRequest(instance, digest);
                    downloads.add(threads.submit(() -> {
                        go.await();
                        return BlobDownload.of(HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream()));
                    }));
                }
            }
            go.countDown();
        }
        List<BlobDownload> got = new ArrayList<>();
        for (Future<BlobDownload> download : downloads) {
            got.add(download.get());
        }
        return got;
    }

    private long upstreamGets(String digest) {
        String path = "/v2/" + REPO + "/blobs/" + digest;
        return registry.requests().stream().filter(r -> r.method().equals("GET") && r.path().equals(path)).count();
    }

    private HttpResponse<byte[]> peerGet(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(members.get(0).resolve(path));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertRight(BlobDownload download, String digest, long size) {
        assertAll(() -> assertEquals(200, download.status(), "status"),
                () -> assertFalse(download.broken(), "broken off"),
                () -> assertEquals(size, download.bytes(), "bytes"),
                () -> assertEquals(digest, download.digest(), "digest of the bytes"));
    }

    private static void assertRefused(int status, String code, HttpResponse<byte[]> response) throws Exception {
        assertEquals(status, response.statusCode(), new String(response.body()));
        assertEquals(code, new ObjectMapper().readTree(response.body()).path("errors").path(0).path("code").asText());
    }
}
