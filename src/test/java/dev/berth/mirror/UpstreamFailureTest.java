package dev.berth.mirror;

import static dev.berth.support.MockHub.blobPath;
import static dev.berth.support.MockHub.manifestPath;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.MediaTypes;
import dev.berth.support.HeldBody;
import dev.berth.support.LogCapture;
import dev.berth.support.MockHub;
import dev.berth.support.Poll;
import dev.berth.support.TestData;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What clients see when Docker Hub misbehaves: rate limits, outages, unknown repositories, and blob downloads that
 * break off or bring the wrong bytes. Stale tags stand in for an unreachable Hub; broken blobs are never cached.
 */
class UpstreamFailureTest extends MirrorTestBase {
    private static final String LATEST = manifestPath(BUSYBOX, "latest");

    /** Short: one test waits for berth to give up on a stalled upstream. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

    private LogCapture failures;

    @Override
    protected Duration readTimeout() {
        return READ_TIMEOUT;
    }

    @BeforeEach
    void captureOutageLog() {
        failures = LogCapture.of(UpstreamFailures.class.getName());
    }

    @AfterEach
    void stopCapturing() {
        failures.close();
    }

    // ---- rate limits ----

    @Test
    void rateLimitedUncachedManifestIs429WithTheUpstreamsRetryAfter() {
        hub.image(BUSYBOX, "latest", 1);
        hub.outage(MockHub.rateLimited(42));

        HttpResponse<byte[]> r = client.get("/v2/busybox/manifests/latest");

        assertError(r, 429, "TOOMANYREQUESTS");
        assertEquals("42", header(r, "Retry-After"));
        assertEquals(List.of("HEAD " + LATEST + " 429"), hub.log());
    }

    @Test
    void rateLimitedStaleTagIsServedFromTheCache() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 2);
        client.get("/v2/busybox/manifests/latest");
        assertBlobs("busybox", image);
        int before = hub.log().size();

        clock.advance(TAG_TTL.plusSeconds(1));
        hub.outage(MockHub.rateLimited(42));

        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlobs("busybox", image);
        assertEquals(List.of("HEAD " + LATEST + " 429"), hubLogSince(before),
                "the tag was revalidated (and refused); the cached blobs needed no upstream");
        // An uncached tag of the same repository cannot be served.
        assertError(client.get("/v2/busybox/manifests/musl"), 429, "TOOMANYREQUESTS");
    }

    // ---- outages ----

    @Test
    void serverErrorsServeTheStaleTagAnd503ForUncachedContentLoggingOncePerOutage() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 3);
        MockHub.Image uncached = hub.image(BUSYBOX, "musl", 4);
        client.get("/v2/busybox/manifests/latest");
        clock.advance(TAG_TTL.plusSeconds(1));
        hub.outage(MockHub.status(503));

        for (int i = 0; i < 3; i++) {
            assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
            HttpResponse<byte[]> r = client.get("/v2/busybox/manifests/musl");
            assertError(r, 503, "UNAVAILABLE");
            assertEquals("10", header(r, "Retry-After"), "berth's default when the upstream names none");
            assertError(client.get(blobPath("busybox", uncached.layers().get(0))), 503, "UNAVAILABLE");
        }
        assertTrue(hub.log().contains("HEAD " + LATEST + " 503"), "the stale tag was revalidated, and that failed");
        List<String> warnings = failures.messages(Level.WARNING);
        assertEquals(1, warnings.size(), () -> "one warning per outage, not per request: " + warnings);
        assertTrue(warnings.get(0).contains("503") && warnings.get(0).contains("docker.io"), warnings.get(0));
        assertTrue(failures.messages(Level.INFO).isEmpty());

        hub.recover();
        assertManifest(client.get("/v2/busybox/manifests/musl"), uncached.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(List.of("upstream docker.io answers again"), failures.messages(Level.INFO));

        // A second outage is logged again, once.
        clock.advance(TAG_TTL.plusSeconds(1));
        hub.outage(MockHub.status(502));
        client.get("/v2/busybox/manifests/latest");
        client.get("/v2/busybox/manifests/musl");
        assertEquals(2, failures.messages(Level.WARNING).size());
    }

    @Test
    void duringAnOutageAStaleTagIsAskedAboutOncePerRetryAfterNotOncePerPull() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 5);
        client.get("/v2/busybox/manifests/latest");
        clock.advance(TAG_TTL.plusSeconds(1));
        hub.outage(MockHub.status(503));
        int before = hub.log().size();

        for (int i = 0; i < 5; i++) {
            assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        }
        assertEquals(List.of("HEAD " + LATEST + " 503"), hubLogSince(before),
                "asked once; the other pulls got the cached tag without waiting on the upstream");

        clock.advance(UpstreamFailures.DEFAULT_RETRY.plusSeconds(1));
        hub.recover();
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(List.of("HEAD " + LATEST + " 503", "HEAD " + LATEST + " 200"), hubLogSince(before),
                "asked again once the retry time had passed");
    }

    @Test
    void aRetryAfterOfHoursKeepsAStaleTagUnaskedForAtMostTheTagTtl() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 6);
        client.get("/v2/busybox/manifests/latest");
        clock.advance(TAG_TTL.plusSeconds(1));
        hub.outage(MockHub.rateLimited(86_400));
        int before = hub.log().size();

        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        clock.advance(TAG_TTL.minusSeconds(1));
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(List.of("HEAD " + LATEST + " 429"), hubLogSince(before), "unasked within the TTL");
        clock.advance(Duration.ofSeconds(2));
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);

        assertEquals(List.of("HEAD " + LATEST + " 429", "HEAD " + LATEST + " 429"), hubLogSince(before),
                "asked again a TTL later, not a day later");
    }

    @Test
    void serverErrorsRetryAfterIsPassedOn() {
        hub.image(BUSYBOX, "latest", 5);
        hub.outage(() -> new MockResponse.Builder().code(503).addHeader("Retry-After", "120").build());

        HttpResponse<byte[]> r = client.get("/v2/busybox/manifests/latest");

        assertError(r, 503, "UNAVAILABLE");
        assertEquals("120", header(r, "Retry-After"));
    }

    @Test
    void refusedConnectionServesTheStaleTagAnd503ForUncachedContent() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 6);
        MockHub.Image uncached = hub.image(BUSYBOX, "musl", 7);
        client.get("/v2/busybox/manifests/latest");
        assertBlobs("busybox", image);
        clock.advance(TAG_TTL.plusSeconds(1));

        hubServer.close();

        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlobs("busybox", image);
        HttpResponse<byte[]> r = client.get("/v2/busybox/manifests/musl");
        assertError(r, 503, "UNAVAILABLE");
        assertEquals("10", header(r, "Retry-After"));
        assertTrue(new String(r.body()).contains("cannot be reached"), new String(r.body()));
        assertError(client.get(blobPath("busybox", uncached.config())), 503, "UNAVAILABLE");
        List<String> warnings = failures.messages(Level.WARNING);
        assertEquals(1, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("HEAD " + LATEST + " failed"),
                () -> "the stale tag was served after a failed revalidation: " + warnings);
    }

    // ---- content the upstream does not have ----

    @Test
    void unknownRepositoryIs404AndRememberedForTheNegativeTtl() {
        String path = manifestPath("library/nosuch", "latest");

        assertError(client.get("/v2/nosuch/manifests/latest"), 404, "MANIFEST_UNKNOWN");
        assertEquals(List.of("HEAD " + path + " 401", "HEAD " + path + " 401"), hub.log(),
                "challenged, then refused with insufficient_scope despite the token");
        assertEquals(1, authServer.getRequestCount(), "no second token: a new one would not help");

        clock.advance(NEGATIVE_TTL.minusSeconds(1));
        assertError(client.get("/v2/nosuch/manifests/latest"), 404, "MANIFEST_UNKNOWN");
        assertEquals(2, hub.requests(), "within the negative TTL the upstream is not asked");

        // Pushed to Hub meanwhile: once the negative TTL is over, berth asks again and finds it.
        MockHub.Image image = hub.image("library/nosuch", "latest", 8);
        clock.advance(Duration.ofSeconds(1));
        assertManifest(client.get("/v2/nosuch/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(1, hub.served("HEAD", path));
        assertTrue(failures.messages(Level.WARNING).isEmpty(), "absence is no outage");
    }

    @Test
    void unknownTagAndBlobAre404() {
        hub.image(BUSYBOX, "latest", 9);
        byte[] missing = TestData.utf8("no such layer");

        assertError(client.get("/v2/busybox/manifests/nosuch"), 404, "MANIFEST_UNKNOWN");
        assertError(client.get(blobPath("busybox", missing)), 404, "BLOB_UNKNOWN");
        assertError(client.head(blobPath("busybox", missing)), 404, "BLOB_UNKNOWN");
        int asked = hub.requests();
        assertError(client.get(blobPath("busybox", missing)), 404, "BLOB_UNKNOWN");
        assertEquals(asked, hub.requests(), "remembered as absent");
    }

    // ---- blob downloads that go wrong ----

    @Test
    void downloadCutMidBlobAbortsTheClientsResponseAndCachesNothing() throws Exception {
        byte[] layer = TestData.bytes(1024 * 1024, 10);
        HeldBody cut = busyboxWithCutLayer(layer);
        String path = blobPath(BUSYBOX, layer);

        try (LogCapture log = LogCapture.of("")) {
            HttpResponse<InputStream> r = client.stream(blobPath("busybox", layer));
            assertEquals(200, r.statusCode(), "the response started while the download ran");
            assertEquals(String.valueOf(layer.length), r.headers().firstValue("Content-Length").orElse(""));
            Received received = readAcrossRelease(r.body(), cut);

            assertNotNull(received.failure(), () -> "a cut download must not end like a complete one: " + received);
            assertTrue(received.bytes().length + 1 < layer.length, received::toString);
            assertEquals(1, hub.served("GET", path));
            assertOneLineSaysTheResponseBrokeOff(log, "the upstream download of " + TestData.digest(layer)
                    + " broke off after ");
        }

        // Nothing was kept: the next pull downloads again, and this time completely.
        assertBlob(client.get(blobPath("busybox", layer)), layer);
        assertEquals(2, hub.served("GET", path));
        assertBlob(client.get(blobPath("busybox", layer)), layer);
        assertEquals(2, hub.served("GET", path), "cached now");
    }

    @Test
    void downloadStalledBeforeTheFirstByteIs503AfterTheReadTimeout() {
        byte[] layer = TestData.bytes(64 * 1024, 11);
        hub.image(BUSYBOX, "latest", TestData.utf8("{}"), layer);
        HeldBody stalled = HeldBody.thenRest(layer, 0);
        hub.override("GET", blobPath(BUSYBOX, layer), stalled.response());
        try {
            HttpResponse<byte[]> r = assertTimeoutPreemptively(READ_TIMEOUT.plusSeconds(5),
                    () -> client.get(blobPath("busybox", layer)));

            // Nothing was sent yet, so the client can be told properly, and when to come back.
            assertError(r, 503, "UNAVAILABLE");
            assertEquals("1", header(r, "Retry-After"));
        } finally {
            stalled.release();
        }
        assertBlob(client.get(blobPath("busybox", layer)), layer);
    }

    @Test
    void wrongBytesAreNeverServedCompletelyNorCached() throws Exception {
        byte[] layer = TestData.bytes(600 * 1024, 12);
        hub.image(BUSYBOX, "latest", TestData.utf8("{}"), layer);
        String path = blobPath(BUSYBOX, layer);
        byte[] corrupt = layer.clone();
        corrupt[layer.length - 1000] ^= 0x55;
        HeldBody wrong = HeldBody.thenRest(corrupt, FIRST_PART);
        hub.override("GET", path, wrong.response());

        try (LogCapture log = LogCapture.of("")) {
            HttpResponse<InputStream> r = client.stream(blobPath("busybox", layer));
            assertEquals(200, r.statusCode());
            assertEquals(String.valueOf(layer.length), r.headers().firstValue("Content-Length").orElse(""));
            Received rest = readAcrossRelease(r.body(), wrong);

            assertNotNull(rest.failure(), () -> "bytes that do not match must not end like a complete blob: " + rest);
            assertTrue(rest.bytes().length + 1 < layer.length, () -> "the last byte is held back until the digest"
                    + " matched, yet the client got " + (rest.bytes().length + 1) + " of " + layer.length);
            assertEquals(1, hub.served("GET", path));
            assertOneLineSaysTheResponseBrokeOff(log, "the upstream sent bytes that do not match "
                    + TestData.digest(layer));
        }

        assertBlob(client.get(blobPath("busybox", layer)), layer);
        assertEquals(2, hub.served("GET", path), "the corrupt download was not kept");
    }

    /**
     * A response cut after its headers is one WARNING naming the request and the cause, and no stack trace (Helidon's
     * "Unable to reset response" with 25 lines of trace was logged before).
     */
    private static void assertOneLineSaysTheResponseBrokeOff(LogCapture log, String cause)
            throws InterruptedException {
        Poll.until(() -> log.messages(Level.WARNING).stream().anyMatch(m -> m.contains("the response broke off")),
                "the cut response is logged");
        List<String> cut = log.messages(Level.WARNING).stream().filter(m -> m.contains("the response broke off"))
                .toList();
        assertEquals(1, cut.size(), cut::toString);
        assertTrue(cut.getFirst().startsWith("GET /v2/busybox/blobs/sha256:"), cut::toString);
        assertTrue(cut.getFirst().contains(cause), cut::toString);
        assertFalse(log.text().contains("Unable to reset"), log::text);
        assertFalse(log.text().contains("\tat "), () -> "no stack trace at INFO and above: " + log.text());
    }
}
