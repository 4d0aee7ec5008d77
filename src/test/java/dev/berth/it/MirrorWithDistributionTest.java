package dev.berth.it;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.BlobDownload;
import dev.berth.support.RequestLog.Request;
import dev.berth.support.OciLayoutBuilder.Blob;
import dev.berth.support.RegistryAssertions;
import dev.berth.support.RunningBerth;
import dev.berth.support.SeededRegistry;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * berth as the pull-through mirror of docker.io, with Debian's docker-registry standing in for Docker Hub: what
 * clients get, and what (and how often) berth asks the upstream.
 */
class MirrorWithDistributionTest {
    private static final int MIB = 1024 * 1024;
    /**
     * What a podman or skopeo user writes in {@code registries.conf} to pull docker.io through berth; {@code %s} is
     * berth's host:port. {@code insecure} lets them speak plain HTTP to it.
     */
    static final String REGISTRIES_CONF = """
            [[registry]]
            prefix = "docker.io"
            location = "docker.io"

            [[registry.mirror]]
            location = "%s"
            insecure = true
            """;
    private static final String UPSTREAM_REPO = "library/busybox";
    private static final String TAG = "latest";

    /** A fresh upstream holding {@code library/busybox:latest} for every test, since one test stops it. */
    @RegisterExtension
    static final SeededRegistry upstream = SeededRegistry.image(7, 2, MIB, UPSTREAM_REPO, TAG);

    @TempDir
    Path work;
    private RunningBerth berth;

    @AfterEach
    void stop() {
        if (berth != null) {
            berth.close();
        }
    }

    @Test
    void podmanStyleRegistriesConfMirrorPullsDockerIoThroughBerth() throws IOException {
        startBerth("5m");
        Path conf = work.resolve("registries.conf");
        Files.writeString(conf, REGISTRIES_CONF.formatted(berthHost()));
        Path out = work.resolve("out");
        // No TLS flags: the mirror entry alone must let skopeo use berth. Docker Hub itself cannot be reached from
        // here, so if skopeo skipped the mirror this copy would fail.
        upstream.skopeo().copyWithRegistriesConf(conf, "docker://docker.io/" + UPSTREAM_REPO + ":" + TAG,
                "oci:" + out + ":" + TAG, "--preserve-digests");

        upstream.assertPulled(out);
        List<String> catalog = new ArrayList<>();
        RegistryAssertions.json(berth.client().get("/v2/_catalog")).path("repositories")
                .forEach(name -> catalog.add(name.asText()));
        assertEquals(List.of("docker.io/library/busybox"), catalog);
        assertAskedForOnePull(upstream.requestsSinceSeeding());
    }

    @Test
    void pullsByShortAndByRegistryQualifiedNameShareOneCache() throws IOException {
        startBerth("5m");
        int ref = 0;
        for (String name : List.of("busybox", "docker.io/library/busybox", "docker.io/busybox")) {
            Path out = work.resolve("out-" + ref++);
            upstream.skopeo().copy("docker://" + berthHost() + "/" + name + ":" + TAG, "oci:" + out + ":" + TAG,
                    "--preserve-digests");
            upstream.assertPulled(out);
        }
        assertAskedForOnePull(upstream.requestsSinceSeeding());
    }

    @Test
    void aSecondPullWithinTheTagTtlAsksTheUpstreamNothing() throws IOException {
        startBerth("5m");
        pull("first");
        List<Request> afterFirst = upstream.requestsSinceSeeding();
        assertAskedForOnePull(afterFirst);

        pull("second");
        List<Request> afterSecond = upstream.requestsSinceSeeding();
        assertEquals(List.of(), afterSecond.subList(afterFirst.size(), afterSecond.size()),
                "upstream requests during the second pull");
    }

    @Test
    void cachedTagsSurviveTheUpstreamGoingAwayAndUncachedContentIs503() throws IOException {
        // A TTL of zero makes every pull revalidate, so the pull after the upstream stops must take stale-if-error.
        startBerth("0s");
        pull("warm");
        List<Request> warm = upstream.requestsSinceSeeding();
        pull("revalidated");
        List<Request> revalidated = upstream.requestsSinceSeeding();
        assertEquals(List.of(new Request("HEAD", manifestPath(TAG), 200)),
                revalidated.subList(warm.size(), revalidated.size()),
                "a pull after the TTL revalidates the tag with one HEAD and fetches nothing");

        upstream.registry().close();
        upstream.assertPulled(pull("stale"));

        TestClient client = berth.client();
        assertUnavailable(client.get("/v2/busybox/manifests/not-cached"));
        assertUnavailable(client.get("/v2/busybox/blobs/" + TestData.digest(TestData.utf8("not cached"))));
    }

    @Test
    @Timeout(120)
    void fiftyClientsOfAnUncached200MibBlobShareOneUpstreamDownload() throws Exception {
        int clients = 50;
        long size = 200L * MIB;
        startBerth("5m");
        long pushStart = System.nanoTime();
        String digest = new TestClient(URI.create(upstream.registry().url()))
                .pushBlob(UPSTREAM_REPO, TestData.stream(size, 200));
        long pushNanos = System.nanoTime() - pushStart;

        HttpRequest get = HttpRequest.newBuilder(URI.create(berthUrl() + "/v2/busybox/blobs/" + digest)).build();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<BlobDownload>> downloads = new ArrayList<>();
        long start;
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                downloads.add(threads.submit(() -> {
                    go.await();
                    return BlobDownload.of(http.send(get, HttpResponse.BodyHandlers.ofInputStream()));
                }));
            }
            start = System.nanoTime();
            go.countDown();
        }

        List<BlobDownload> results = new ArrayList<>();
        for (Future<BlobDownload> download : downloads) {
            results.add(download.get());
        }
        for (BlobDownload result : results) {
            assertAll(() -> assertEquals(200, result.status(), "status"),
                    () -> assertEquals(digest, result.digestHeader(), "Docker-Content-Digest"),
                    () -> assertEquals(size, result.bytes(), "bytes received"),
                    () -> assertEquals(digest, result.digest(), "digest of the bytes received"));
        }
        assertEquals(List.of(new Request("GET", blobPath(digest), 200)),
                upstream.requestsSinceSeeding().stream().filter(r -> r.path().equals(blobPath(digest))).toList());
        // For the record, not asserted: the clients' own HTTP and hashing take most of the CPU. Headers come once
        // the upstream answers, well before 200 MiB can have arrived, so every client joined the running download.
        long headers = results.stream().mapToLong(BlobDownload::headersAt).max().orElseThrow() - start;
        long first = results.stream().mapToLong(BlobDownload::doneAt).min().orElseThrow() - start;
        long last = results.stream().mapToLong(BlobDownload::doneAt).max().orElseThrow() - start;
        System.out.printf("pushed %d MiB upstream in %d ms; through berth, %d clients all had headers after %d ms"
                        + " and bodies after %d to %d ms: %.0f MiB/s served in all%n", size / MIB,
                pushNanos / 1_000_000, clients, headers / 1_000_000, first / 1_000_000, last / 1_000_000,
                clients * (double) size / MIB / (last / 1e9));
    }

    private void startBerth(String tagTtl) {
        berth = RunningBerth.start(work.resolve("berth"), """
                mirror:
                  upstreams:
                    - registry: docker.io
                      url: %s
                      default: true
                      tag-ttl: %s
                """.formatted(upstream.registry().url(), tagTtl));
    }

    /** Pulls busybox:latest from berth by its short name into a new OCI layout named {@code name}. */
    private Path pull(String name) {
        Path out = work.resolve(name);
        upstream.skopeo().copy("docker://" + berthHost() + "/busybox:" + TAG, "oci:" + out + ":" + TAG,
                "--preserve-digests");
        return out;
    }

    /**
     * The upstream was asked what one pull needs, once each: a HEAD of the tag, the manifest by digest, the config
     * and every layer. Compared in order of path, since skopeo fetches layers in parallel.
     */
    private static void assertAskedForOnePull(List<Request> requests) {
        List<Request> expected = new ArrayList<>(List.of(new Request("HEAD", manifestPath(TAG), 200),
                new Request("GET", manifestPath(upstream.image().manifest().digest()), 200)));
        for (Blob blob : upstream.image().blobs()) {
            expected.add(new Request("GET", blobPath(blob.digest()), 200));
        }
        Comparator<Request> byPath = Comparator.comparing(Request::path).thenComparing(Request::method);
        assertEquals(expected.stream().sorted(byPath).toList(), requests.stream().sorted(byPath).toList(),
                "upstream requests");
    }

    /** A 503 that names the upstream that failed and says when to try again. */
    private static void assertUnavailable(HttpResponse<byte[]> response) {
        assertError(response, 503, "UNAVAILABLE");
        String detail = RegistryAssertions.json(response).path("errors").path(0).path("detail").asText();
        assertTrue(detail.contains("docker.io"), () -> "detail: " + detail);
        String retryAfter = header(response, "Retry-After");
        assertTrue(retryAfter.matches("[1-9][0-9]*"), () -> "Retry-After: '" + retryAfter + "'");
    }

    private static String manifestPath(String reference) {
        return "/v2/" + UPSTREAM_REPO + "/manifests/" + reference;
    }

    private static String blobPath(String digest) {
        return "/v2/" + UPSTREAM_REPO + "/blobs/" + digest;
    }

    private String berthHost() {
        return "127.0.0.1:" + berth.port();
    }

    private String berthUrl() {
        return "http://" + berthHost();
    }
}
