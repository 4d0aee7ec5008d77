package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.oci.MediaTypes;
import dev.berth.support.HeldBody;
import dev.berth.support.MockHub;
import dev.berth.support.Scrape;
import dev.berth.support.TestData;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code /observe/metrics} after cold and warm pulls through the mirror: the counts it shows, not just the names. */
class MirrorMetricsTest extends MirrorTestBase {
    private static final Map<String, String> HUB = Map.of("registry", "docker.io");
    private static final Map<String, String> HUB_MANIFESTS = Map.of("registry", "docker.io", "kind", "manifest");
    private static final Map<String, String> HUB_BLOBS = Map.of("registry", "docker.io", "kind", "blob");

    @Test
    void coldPullMissesAndFetchesWarmPullHitsAndAsksNothing() throws InterruptedException {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 1);
        long imageBytes = image.manifest().length + image.config().length + image.layers().get(0).length;
        Scrape before = Scrape.of(client);
        assertTrue(Double.isNaN(before.value("berth_upstream_ratelimit_remaining", HUB)),
                "unknown until the upstream says: " + before);

        pull(image);
        awaitFillsStored(client);
        Scrape cold = Scrape.of(client);
        assertEquals(1, cold.value("berth_cache_misses_total", HUB_MANIFESTS), cold::toString);
        assertEquals(2, cold.value("berth_cache_misses_total", HUB_BLOBS), "config and layer");
        assertEquals(0, cold.value("berth_cache_hits_total", HUB_MANIFESTS));
        assertEquals(0, cold.value("berth_cache_hits_total", HUB_BLOBS));
        // HEAD of the tag, GET of the manifest by digest, GET of two blobs; the token flow's 401 is retried inside.
        assertEquals(4, cold.value("berth_upstream_requests_total", HUB));
        assertEquals(0, cold.value("berth_upstream_errors_total", HUB));
        assertEquals(imageBytes, cold.value("berth_upstream_received_bytes_total", HUB));
        assertEquals(99, cold.value("berth_upstream_ratelimit_remaining", HUB), "MockHub's ratelimit-remaining");
        assertEquals(1, cold.value("berth_http_requests_total", Map.of("kind", "manifest", "status", "200")));
        assertEquals(2, cold.value("berth_http_requests_total", Map.of("kind", "blob", "status", "200")));
        assertEquals(0, cold.value("berth_blob_fills_in_flight", Map.of()));

        pull(image);
        Scrape warm = Scrape.of(client);
        assertEquals(1, warm.value("berth_cache_hits_total", HUB_MANIFESTS), warm::toString);
        assertEquals(2, warm.value("berth_cache_hits_total", HUB_BLOBS));
        assertEquals(1, warm.value("berth_cache_misses_total", HUB_MANIFESTS), "no new miss");
        assertEquals(2, warm.value("berth_cache_misses_total", HUB_BLOBS));
        assertEquals(4, warm.value("berth_upstream_requests_total", HUB), "the warm pull asked nothing upstream");
        assertEquals(imageBytes, warm.value("berth_upstream_received_bytes_total", HUB));
        assertEquals(image.manifest().length, warm.value("berth_cache_hit_bytes_total", HUB_MANIFESTS));
        assertEquals(image.config().length + image.layers().get(0).length,
                warm.value("berth_cache_hit_bytes_total", HUB_BLOBS));
        assertEquals(2, warm.value("berth_http_requests_total", Map.of("kind", "manifest", "status", "200")));
        assertEquals(4, warm.value("berth_http_requests_total", Map.of("kind", "blob", "status", "200")));
    }

    /** So that increase() and rate() over a restart see the first event: Prometheus needs a series before it. */
    @Test
    void theCountersOperatorsAlertOnExistFromTheStart() {
        Scrape start = Scrape.of(client);

        for (String counter : List.of("berth_upstream_requests_total", "berth_upstream_errors_total",
                "berth_upstream_received_bytes_total")) {
            assertTrue(start.has(counter, HUB), counter + " in " + start);
        }
        for (String counter : List.of("berth_cache_hits_total", "berth_cache_misses_total")) {
            assertTrue(start.has(counter, HUB_MANIFESTS) && start.has(counter, HUB_BLOBS), counter + " in " + start);
        }
        assertTrue(start.has("berth_gc_runs_total", Map.of()), start::toString);
        assertEquals(0, start.value("berth_upstream_errors_total", HUB));
        // Without cache.max-bytes too: the housekeeping rounds count what is mirrored all the same.
        assertTrue(start.has("berth_cache_mirrored_bytes", Map.of()), start::toString);
        assertFalse(start.has("berth_cache_budget_bytes", Map.of()), start::toString);
    }

    @Test
    void upstreamFailuresCountAsErrorsAndRequestsAreCountedByStatus() {
        hub.outage(MockHub.status(503));

        assertEquals(503, client.get("/v2/busybox/manifests/latest").statusCode());
        assertEquals(404, client.get("/v2/nothing-here").statusCode());

        Scrape scrape = Scrape.of(client);
        assertEquals(1, scrape.value("berth_upstream_requests_total", HUB), scrape::toString);
        assertEquals(1, scrape.value("berth_upstream_errors_total", HUB));
        assertEquals(1, scrape.value("berth_cache_misses_total", HUB_MANIFESTS));
        assertEquals(1, scrape.value("berth_http_requests_total", Map.of("kind", "manifest", "status", "503")));
        assertEquals(1, scrape.value("berth_http_requests_total", Map.of("kind", "other", "status", "404")));
    }

    @Test
    void aRateLimitingUpstreamSetsTheGaugeToWhatItSaysIsLeft() {
        hub.outage(MockHub.rateLimited(30));

        assertEquals(429, client.get("/v2/busybox/manifests/latest").statusCode());

        Scrape scrape = Scrape.of(client);
        assertEquals(0, scrape.value("berth_upstream_ratelimit_remaining", HUB), scrape::toString);
        assertEquals(1, scrape.value("berth_upstream_errors_total", HUB));
    }

    @Test
    void clientsOfARunningDownloadShareItAndItsBytesCountOnce() throws InterruptedException {
        byte[] layer = TestData.bytes(600 * 1024, 21);
        HeldBody held = busyboxWithHeldLayer(layer);
        String path = MockHub.blobPath("busybox", layer);

        InputStream first = client.stream(path).body();
        InputStream second = client.stream(path).body();
        Scrape during = Scrape.of(client);
        assertEquals(1, during.value("berth_blob_fills_in_flight", Map.of()), during::toString);
        assertEquals(2, during.value("berth_cache_misses_total", HUB_BLOBS), "both clients missed");
        held.release();
        for (InputStream body : List.of(first, second)) {
            Received received = readUntilEndOrFailure(body);
            assertEquals(Digest.sha256(layer), Digest.sha256(received.bytes()), received::toString);
        }
        awaitFillsStored(client);

        Scrape after = Scrape.of(client);
        assertEquals(0, after.value("berth_blob_fills_in_flight", Map.of()), after::toString);
        assertEquals(layer.length, after.value("berth_upstream_received_bytes_total", HUB), "one download");
        assertEquals(1, after.value("berth_upstream_requests_total", HUB));
        assertEquals(0, after.value("berth_cache_hits_total", HUB_BLOBS));
    }

    private void pull(MockHub.Image image) {
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlobs("busybox", image);
    }
}
