package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.support.HeldBody;
import dev.berth.support.MockHub;
import dev.berth.support.MutableClock;
import dev.berth.support.Poll;
import dev.berth.support.RegistryAssertions;
import dev.berth.support.RunningBerth;
import dev.berth.support.Scrape;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A berth started for each test in this JVM, mirroring a {@link MockHub} as its default upstream {@code docker.io},
 * with {@code team/*} private and a clock the test moves. Subclasses may configure more upstreams. Public for the
 * tests of what the mirror serves (jobs, search) that live in their own packages.
 */
public abstract class MirrorTestBase {
    protected static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    protected static final Duration TAG_TTL = Duration.ofMinutes(5);
    protected static final Duration NEGATIVE_TTL = Duration.ofSeconds(30);
    protected static final String BUSYBOX = "library/busybox";
    /**
     * What a held upstream body sends before it holds: more than the 256 KiB that a download passes on to its
     * followers at a time, so they have bytes while the upstream holds back the rest.
     */
    protected static final int FIRST_PART = 300 * 1024;

    @StartStop
    public final MockWebServer hubServer = new MockWebServer();
    @StartStop
    public final MockWebServer authServer = new MockWebServer();
    @TempDir
    protected Path root;

    protected final MutableClock clock = new MutableClock(START);
    protected final MockHub hub = new MockHub(hubServer, authServer, MockHub.DOCKER_HUB_SERVICE);
    protected RunningBerth berth;
    protected TestClient client;

    @BeforeEach
    void startBerth() {
        berth = RunningBerth.start(root, mirrorYaml(), clock);
        client = berth.client();
    }

    @AfterEach
    void stopBerth() throws InterruptedException {
        if (berth != null) {
            try {
                // The data directory goes after the test: not before the downloads finished writing to it.
                awaitFillsStored(client);
            } finally {
                berth.close();
            }
        }
    }

    /** The mirror and private sections of berth.yaml. */
    protected String mirrorYaml() {
        return "mirror:\n  upstreams:\n" + upstream("docker.io", hub.url(), true) + "private:\n  repositories: ['team/*']\n";
    }

    /**
     * How long berth waits for an upstream's next bytes. Generous, since held bodies wait for clients on a machine
     * that may be busy; a test of a stalled upstream shortens it.
     */
    protected Duration readTimeout() {
        return Duration.ofSeconds(10);
    }

    /** One {@code mirror.upstreams} entry with the test timings. */
    protected String upstream(String registry, String url, boolean isDefault) {
        return upstream(registry, url, isDefault, "");
    }

    /** One {@code mirror.upstreams} entry with the test timings and {@code more} (e.g. {@code "username: a, "}). */
    protected String upstream(String registry, String url, boolean isDefault, String more) {
        return "    - {registry: " + registry + ", url: '" + url + "', default: " + isDefault + ", " + more + "tag-ttl: "
                + TAG_TTL.toMinutes() + "m, negative-ttl: " + NEGATIVE_TTL.toSeconds() + "s, connect-timeout: 1s,"
                + " read-timeout: " + readTimeout().toMillis() + "ms}\n";
    }

    /**
     * Seeds {@code BUSYBOX:latest} with an empty config and {@code layer}; the hub sends the layer's first
     * {@link #FIRST_PART} bytes and holds the rest until the returned body is released.
     */
    protected HeldBody busyboxWithHeldLayer(byte[] layer) {
        return busyboxWithLayerThrough(layer, HeldBody.thenRest(layer, FIRST_PART));
    }

    /**
     * Seeds {@code BUSYBOX:latest} with an empty config and {@code layer}; the hub sends the layer's first
     * {@link #FIRST_PART} bytes, and once the returned body is released breaks the connection halfway through.
     */
    protected HeldBody busyboxWithCutLayer(byte[] layer) {
        return busyboxWithLayerThrough(layer, HeldBody.thenCut(layer, FIRST_PART));
    }

    private HeldBody busyboxWithLayerThrough(byte[] layer, HeldBody body) {
        hub.image(BUSYBOX, "latest", TestData.utf8("{}"), layer);
        // The download's GET: a range GET of the layer may reach the hub before it.
        hub.overrideWhole("GET", MockHub.blobPath(BUSYBOX, layer), body.response());
        return body;
    }

    /** Asserts a manifest response as a client sees it: 200, the media type, the digest and the exact bytes. */
    protected static void assertManifest(HttpResponse<byte[]> r, byte[] bytes, String mediaType) {
        assertEquals(200, r.statusCode(), () -> "body: " + new String(r.body()));
        assertEquals(mediaType, RegistryAssertions.header(r, "Content-Type"));
        assertEquals(Digest.sha256(bytes).toString(), RegistryAssertions.header(r, "Docker-Content-Digest"));
        assertArrayEquals(bytes, r.body(), "the manifest is served byte for byte");
    }

    /** Asserts a blob response: 200, its digest announced, and bytes that hash to it. */
    protected static void assertBlob(HttpResponse<byte[]> r, byte[] bytes) {
        assertEquals(200, r.statusCode(), () -> "body: " + new String(r.body()));
        String digest = Digest.sha256(bytes).toString();
        assertEquals(digest, RegistryAssertions.header(r, "Docker-Content-Digest"));
        assertEquals(String.valueOf(bytes.length), RegistryAssertions.header(r, "Content-Length"));
        assertEquals(digest, Digest.sha256(r.body()).toString(), "the bytes received hash to the digest");
    }

    /** Asserts that GETting every blob of {@code image} through {@code repo} returns the right bytes. */
    protected void assertBlobs(String repo, MockHub.Image image) {
        assertBlob(client.get(MockHub.blobPath(repo, image.config())), image.config());
        for (byte[] layer : image.layers()) {
            assertBlob(client.get(MockHub.blobPath(repo, layer)), layer);
        }
    }

    /**
     * Waits until every download berth runs has been stored and linked. A client has a blob's last byte before the
     * blob is synced and cached, so what a test then asserts about the cache waits for this first.
     */
    protected static void awaitFillsStored(TestClient client) throws InterruptedException {
        Poll.until(() -> Scrape.of(client).value("berth_blob_fills_in_flight", Map.of()) == 0,
                "every download stored and linked");
    }

    /** What the hub logged after the first {@code from} requests. */
    protected List<String> hubLogSince(int from) {
        List<String> log = hub.log();
        return log.subList(from, log.size());
    }

    /** What a client got of a body before it ended or broke, and how it ended. */
    protected record Received(byte[] bytes, IOException failure) {
        @Override
        public String toString() {
            return bytes.length + " bytes, " + (failure == null ? "clean end" : "failed: " + failure);
        }
    }

    /**
     * Reads {@code body}'s first byte while the upstream still holds the rest (within seconds, or the test fails),
     * then releases {@code held} and reads on to the end or the failure: what arrived after the first byte.
     */
    protected static Received readAcrossRelease(InputStream body, HeldBody held) {
        assertTrue(assertTimeoutPreemptively(Duration.ofSeconds(10), () -> body.read()) >= 0,
                "the first bytes arrive while the upstream holds the rest");
        held.release();
        return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> readUntilEndOrFailure(body));
    }

    /** Reads {@code in} to its end or its failure, keeping what arrived. */
    protected static Received readUntilEndOrFailure(InputStream in) {
        byte[] buffer = new byte[64 * 1024];
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
            }
            return new Received(all.toByteArray(), null);
        } catch (IOException e) {
            return new Received(all.toByteArray(), e);
        }
    }
}
