package dev.berth.it;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.BlobDownload;
import dev.berth.support.ChildBerth;
import dev.berth.support.Htpasswd;
import dev.berth.support.LogCapture;
import dev.berth.support.OciLayoutBuilder.Blob;
import dev.berth.support.RegistryAssertions;
import dev.berth.support.RequestLog;
import dev.berth.support.RequestLog.Request;
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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Berth behind berth: skopeo pulls through an edge berth whose upstream is a central berth (logins on, anonymous
 * pulls refused), whose upstream is Debian's docker-registry standing in for Docker Hub. What clients get, and what
 * each tier asks of the next, how often.
 */
class TieredMirrorTest {
    private static final int MIB = 1024 * 1024;
    private static final String USER = "edge-site-1";
    private static final String PASSWORD = "tiers-are-berths-9";
    private static final String UPSTREAM_REPO = "library/busybox";
    private static final String TAG = "latest";

    @RegisterExtension
    static final SeededRegistry origin = SeededRegistry.image(13, 3, MIB, UPSTREAM_REPO, TAG);

    @TempDir
    Path work;
    private ChildBerth central;
    private RequestLog centralLog;
    private RunningBerth edge;
    /** The edge's credentials at the central berth (YAML pairs of its upstream entry). */
    private String login;

    @BeforeEach
    void writeEdgeLogin() throws IOException {
        Htpasswd.run("-B", "-b", "-c", work.resolve("htpasswd").toString(), USER, PASSWORD);
        Files.writeString(work.resolve("edge-password"), PASSWORD + "\n");
        login = "username: " + USER + ", password-file: '" + work.resolve("edge-password") + "'";
    }

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.close();
        }
        if (central != null) {
            central.close();
        }
    }

    @Test
    void aColdPullThroughTheEdgeCostsTheCentralBerthAndTheRegistryOneGetPerBlob() throws IOException {
        startTiers("5m", "5m");
        origin.assertPulled(pull("first"));

        List<Request> atCentral = centralLog.requests();
        for (Blob blob : origin.image().blobs()) {
            assertEquals(1, fetches(atCentral, "/blobs/" + blob.digest()), () -> "GETs at the central berth of "
                    + blob.digest() + ": " + atCentral);
            assertEquals(1, fetches(origin.registry().requests(), "/blobs/" + blob.digest()), "GETs at the registry");
        }
        assertEquals(1, fetches(atCentral, "/manifests/" + origin.image().manifest().digest()),
                () -> atCentral.toString());
        assertTrue(atCentral.stream().anyMatch(r -> r.path().startsWith("/auth/token") && r.status() == 200),
                () -> "the edge logged in at the central berth's token endpoint: " + atCentral);

        int before = atCentral.size();
        origin.assertPulled(pull("second"));
        List<Request> again = centralLog.requests();
        assertEquals(List.of(), again.subList(before, again.size()), "central berth asked during a warm pull");
    }

    @Test
    void withoutTheCentralBerthsPasswordTheEdgeGetsNothingAndSaysWhy() throws IOException {
        startCentral("{registry: docker.io, url: '" + origin.registry().url() + "', default: true}");
        startEdge("{registry: docker.io, url: '" + centralUrl() + "', default: true}");
        // After the start, which sets up logging.
        try (LogCapture refusals = LogCapture.of("dev.berth.mirror.RefusedAccess")) {
            // As Docker Hub's anonymous token for a repository one may not pull: absent, so clients try their next
            // source; but the edge's operator is told.
            assertError(edge.client().get("/v2/busybox/manifests/" + TAG), 404, "MANIFEST_UNKNOWN");
            assertError(edge.client().get("/v2/busybox/manifests/other"), 404, "MANIFEST_UNKNOWN");
            assertEquals(0, fetches(centralLog.requests(), "/manifests/" + TAG), "manifests the central berth gave out");
            List<String> warnings = refusals.messages(Level.WARNING);
            assertEquals(1, warnings.size(), () -> "one warning per upstream and repository: " + warnings);
            assertTrue(warnings.get(0).startsWith("upstream docker.io refused access to repository library/busybox")
                    && warnings.get(0).contains("no username is configured for docker.io: if it needs a login, set"
                    + " mirror.upstreams[].username and password"), warnings.get(0));
        }
    }

    @Test
    void withAWrongPasswordTheEdgeAnswers503ThatSaysSo() throws IOException {
        Files.writeString(work.resolve("wrong-password"), "not-" + PASSWORD + "\n");
        startCentral("{registry: docker.io, url: '" + origin.registry().url() + "', default: true}");
        startEdge("{registry: docker.io, url: '" + centralUrl() + "', default: true, username: " + USER
                + ", password-file: '" + work.resolve("wrong-password") + "'}");
        try (LogCapture refusals = LogCapture.of("dev.berth.mirror.RefusedAccess")) {
            HttpResponse<byte[]> refused = edge.client().get("/v2/busybox/manifests/" + TAG);
            assertUnavailable(refused);
            String message = RegistryAssertions.json(refused).path("errors").path(0).path("message").asText();
            assertTrue(message.contains("upstream docker.io refused berth's credentials"), message);
            List<String> warnings = refusals.messages(Level.WARNING);
            assertEquals(1, warnings.size(), () -> warnings.toString());
            assertTrue(warnings.get(0).startsWith("upstream docker.io refused berth's credentials for repository"
                    + " library/busybox"), warnings.get(0));
            assertTrue(!refusals.text().contains(PASSWORD), "the password in the log");
        }
    }

    @Test
    void thePathOfTheEdgesUpstreamUrlNamesTheRegistryTheCentralBerthMirrors() throws IOException {
        // The central berth has no default: only the name's first component, ghcr.io, routes to the registry.
        startCentral("{registry: ghcr.io, url: '" + origin.registry().url() + "'}");
        startEdge("{registry: ghcr.io, url: '" + centralUrl() + "/ghcr.io', default: true, " + login + "}");

        origin.assertPulled(pull("through-the-prefix", UPSTREAM_REPO));
        List<Request> atCentral = centralLog.requests();
        assertTrue(atCentral.stream().filter(r -> r.path().startsWith("/v2/") && r.path().length() > 4)
                .allMatch(r -> r.path().startsWith("/v2/ghcr.io/library/busybox/")), () -> atCentral.toString());
        assertEquals(1, fetches(atCentral, "/blobs/" + origin.image().config().digest()), () -> atCentral.toString());
    }

    @Test
    @Timeout(120)
    void twentyEdgeClientsOfAColdBlobMakeOneGetAtTheCentralBerthAndOneAtTheRegistry() throws Exception {
        startTiers("5m", "5m");
        long size = 48L * MIB;
        String digest = new TestClient(URI.create(origin.registry().url()))
                .pushBlob(UPSTREAM_REPO, TestData.stream(size, 31));

        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port()
                + "/v2/busybox/blobs/" + digest)).build();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<BlobDownload>> downloads = new ArrayList<>();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                downloads.add(threads.submit(() -> {
                    go.await();
                    return BlobDownload.of(http.send(get, HttpResponse.BodyHandlers.ofInputStream()));
                }));
            }
            go.countDown();
        }
        for (Future<BlobDownload> download : downloads) {
            BlobDownload result = download.get();
            assertAll(() -> assertEquals(200, result.status(), "status"),
                    () -> assertEquals(digest, result.digestHeader(), "Docker-Content-Digest"),
                    () -> assertEquals(size, result.bytes(), "bytes received"),
                    () -> assertEquals(digest, result.digest(), "digest of the bytes received"));
        }
        List<Request> atCentral = centralLog.requests();
        assertEquals(1, fetches(atCentral, "/blobs/" + digest), () -> "GETs at the central berth: " + atCentral);
        assertEquals(1, fetches(origin.registry().requests(), "/blobs/" + digest), "GETs at the registry");
    }

    @Test
    void afterItsTagTtlTheEdgeAsksTheCentralBerthOneHeadThatItAnswersFromItsCache() throws IOException {
        startTiers("0s", "5m");
        pull("warm");
        int atCentral = centralLog.requests().size();
        int atOrigin = origin.registry().requests().size();

        origin.assertPulled(pull("revalidated"));
        List<Request> central = centralLog.requests();
        assertEquals(List.of("HEAD " + 200), central.subList(atCentral, central.size()).stream()
                .map(r -> r.method() + " " + r.status()).toList(), () -> "asked of the central berth: " + central);
        assertTrue(central.getLast().path().endsWith("/manifests/" + TAG), central.getLast().path());
        assertEquals(atOrigin, origin.registry().requests().size(), "the registry is not asked within the central TTL");
    }

    @Test
    void withTheCentralBerthDownTheEdgeServesWhatItHasAndSays503ForTheRest() throws IOException {
        startTiers("0s", "5m");
        pull("warm");
        central.kill();

        origin.assertPulled(pull("stale"));
        String missing = TestData.digest(TestData.utf8("never pulled"));
        assertUnavailable(edge.client().get("/v2/busybox/blobs/" + missing));
    }

    @Test
    void withTheRegistryDownTheCentralBerthsStaleTagsReachTheEdge() throws IOException {
        startTiers("0s", "0s");
        pull("warm");
        origin.registry().close();

        origin.assertPulled(pull("stale"));
        HttpResponse<byte[]> uncached = edge.client().get("/v2/busybox/manifests/not-cached");
        assertUnavailable(uncached);
        String detail = RegistryAssertions.json(uncached).path("errors").path(0).path("detail").asText();
        assertTrue(detail.contains("answered 503"), () -> "the edge says what the central berth answered: " + detail);
    }

    /** Starts both berths mirroring docker.io: the edge from the central berth, logged in there. */
    private void startTiers(String edgeTagTtl, String centralTagTtl) throws IOException {
        startCentral("{registry: docker.io, url: '" + origin.registry().url() + "', default: true, tag-ttl: "
                + centralTagTtl + "}");
        startEdge("{registry: docker.io, url: '" + centralUrl() + "', default: true, tag-ttl: " + edgeTagTtl + ", "
                + login + "}");
    }

    /** The central berth, with {@code upstream} (a YAML map), letting only those who log in pull. */
    private void startCentral(String upstream) throws IOException {
        central = ChildBerth.start(List.of(), work.resolve("central"), """
                auth:
                  htpasswd: '%s'
                  anonymous: {mirrored: none}
                mirror:
                  upstreams: [%s]
                """.formatted(work.resolve("htpasswd"), upstream));
        centralLog = new RequestLog(centralUrl(), central::output);
    }

    /** The edge berth, with {@code upstream} (a YAML map). */
    private void startEdge(String upstream) {
        edge = RunningBerth.start(work.resolve("edge"), "mirror: {upstreams: [" + upstream + "]}\n");
    }

    private String centralUrl() {
        return "http://127.0.0.1:" + central.port();
    }

    /** Pulls busybox:latest from the edge by its short name into a new OCI layout named {@code name}. */
    private Path pull(String name) {
        return pull(name, "busybox");
    }

    /** Pulls {@code repository}:latest from the edge into a new OCI layout named {@code name}. */
    private Path pull(String name, String repository) {
        Path out = work.resolve(name);
        origin.skopeo().copy("docker://127.0.0.1:" + edge.port() + "/" + repository + ":" + TAG,
                "oci:" + out + ":" + TAG, "--preserve-digests");
        return out;
    }

    /**
     * How many GETs of a path ending in {@code suffix} (whatever the repository's name there) {@code log} holds that
     * were answered 200. A GET answered 401 before the edge has a token for the scope is a round trip, not a fetch.
     */
    private static long fetches(List<Request> log, String suffix) {
        return log.stream().filter(r -> r.method().equals("GET") && r.status() == 200 && r.path().endsWith(suffix)).count();
    }

    /** A 503 that names docker.io and says when to try again. */
    private static void assertUnavailable(HttpResponse<byte[]> response) {
        assertError(response, 503, "UNAVAILABLE");
        assertTrue(header(response, "Retry-After").matches("[1-9][0-9]*"), header(response, "Retry-After"));
    }
}
