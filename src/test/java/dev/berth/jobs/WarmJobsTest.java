package dev.berth.jobs;

import static dev.berth.support.MockHub.blobPath;
import static dev.berth.support.MockHub.manifestPath;
import static dev.berth.support.ApiAssertions.assertApiError;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.mirror.MirrorTestBase;
import dev.berth.oci.MediaTypes;
import dev.berth.support.HeldBody;
import dev.berth.support.MockHub;
import dev.berth.support.Poll;
import dev.berth.support.Scrape;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/warm-jobs}: a job caches an image (every platform of an index, or the one asked for) through the
 * mirror, each blob fetched once, uncounted as client traffic; afterwards clients pull it with the upstream down.
 */
class WarmJobsTest extends MirrorTestBase {
    private static final Map<String, String> HUB_BLOBS = Map.of("registry", "docker.io", "kind", "blob");
    private static final Map<String, String> HUB_MANIFESTS = Map.of("registry", "docker.io", "kind", "manifest");

    private MockHub.Image amd64;
    private MockHub.Image arm64;
    private byte[] index;

    private void multiArchBusybox() {
        amd64 = hub.image(BUSYBOX, null, 1);
        arm64 = hub.image(BUSYBOX, null, 2);
        index = MockHub.index(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, amd64, arm64);
        hub.manifest(BUSYBOX, "1.36", index, MediaTypes.OCI_INDEX);
    }

    private HttpResponse<byte[]> start(String body) {
        return client.send("POST", "/api/v1/warm-jobs", TestData.utf8(body), "Content-Type", "application/json");
    }

    /** Starts a job and polls it until it finished; returns its last state. */
    private JsonNode warm(String body) throws InterruptedException {
        HttpResponse<byte[]> started = start(body);
        assertEquals(201, started.statusCode(), new String(started.body()));
        String location = started.headers().firstValue("Location").orElseThrow();
        assertEquals("/api/v1/warm-jobs/" + json(started).path("id").asText(), location);
        AtomicReference<JsonNode> job = new AtomicReference<>();
        Poll.until(() -> {
            job.set(json(client.get(location)));
            return !job.get().path("state").asText().equals("running");
        }, "the warm job finishes");
        return job.get();
    }

    @Test
    void everyPlatformIsCachedOnceAndServedWithTheUpstreamDown() throws InterruptedException {
        multiArchBusybox();
        Scrape before = Scrape.of(client);
        JsonNode job = warm("{\"images\": [\"busybox:1.36\"]}");

        assertEquals("succeeded", job.path("state").asText(), job.toString());
        JsonNode image = job.path("images").get(0);
        assertEquals("docker.io/library/busybox", image.path("repository").asText());
        assertEquals("done", image.path("state").asText());
        assertEquals(TestData.digest(index), image.path("digest").asText());
        assertEquals("[\"linux/amd64\",\"linux/arm64\"]", image.path("platforms").toString());
        assertEquals(4, job.path("layers").path("total").asInt(), "two configs, two layers");
        assertEquals(4, job.path("layers").path("done").asInt());
        long bytes = amd64.config().length + amd64.layers().get(0).length + arm64.config().length
                + arm64.layers().get(0).length;
        assertEquals(bytes, job.path("bytes").path("total").asLong());
        assertEquals(bytes, job.path("bytes").path("done").asLong());
        for (MockHub.Image platform : new MockHub.Image[] {amd64, arm64}) {
            assertEquals(1, hub.served("GET", manifestPath(BUSYBOX, platform.ref())));
            assertEquals(1, hub.served("GET", blobPath(BUSYBOX, platform.config())));
            assertEquals(1, hub.served("GET", blobPath(BUSYBOX, platform.layers().get(0))));
        }
        Scrape after = Scrape.of(client);
        for (Map<String, String> kind : new Map[] {HUB_BLOBS, HUB_MANIFESTS}) {
            assertEquals(before.value("berth_cache_misses_total", kind), after.value("berth_cache_misses_total", kind),
                    "a warm job is no client's miss");
            assertEquals(before.value("berth_cache_hits_total", kind), after.value("berth_cache_hits_total", kind));
        }

        awaitFillsStored(client);
        hub.outage(MockHub.status(503));
        assertManifest(client.get("/v2/busybox/manifests/1.36"), index, MediaTypes.OCI_INDEX);
        for (MockHub.Image platform : new MockHub.Image[] {amd64, arm64}) {
            assertManifest(client.get("/v2/busybox/manifests/" + platform.ref()), platform.manifest(),
                    MediaTypes.OCI_MANIFEST);
            assertBlobs("busybox", platform);
        }
    }

    @Test
    void aPlatformNarrowsTheIndexAndAWarmOfWhatIsCachedFetchesNoBlob() throws InterruptedException {
        multiArchBusybox();
        JsonNode job = warm("{\"images\": [\"library/busybox:1.36\"], \"platform\": \"linux/arm64\"}");
        assertEquals("succeeded", job.path("state").asText(), job.toString());
        assertEquals("linux/arm64", job.path("platform").asText());
        assertEquals(1, hub.served("GET", blobPath(BUSYBOX, arm64.layers().get(0))));
        assertEquals(0, hub.count("GET", manifestPath(BUSYBOX, amd64.ref())), "the other platform is left");
        assertEquals(0, hub.count("GET", blobPath(BUSYBOX, amd64.layers().get(0))));

        awaitFillsStored(client);
        JsonNode again = warm("{\"images\": [\"busybox@" + TestData.digest(index)
                + "\"], \"platform\": \"linux/arm64\"}");
        assertEquals("succeeded", again.path("state").asText(), again.toString());
        assertEquals(1, hub.served("GET", blobPath(BUSYBOX, arm64.layers().get(0))), "cached: not fetched again");

        JsonNode missing = warm("{\"images\": [\"busybox:1.36\"], \"platform\": \"linux/s390x\"}");
        assertEquals("failed", missing.path("state").asText());
        assertEquals("the image has no linux/s390x platform (it has linux/amd64, linux/arm64)",
                missing.path("images").get(0).path("error").asText());
    }

    @Test
    void whatAJobFetchedIsNotRecordedAsUsed() throws InterruptedException, IOException {
        multiArchBusybox();
        assertEquals("succeeded", warm("{\"images\": [\"busybox:1.36\"]}").path("state").asText());
        awaitFillsStored(client);
        berth.close();
        berth = null;
        Path index = root.resolve("access-index");
        assertEquals(List.of(), Files.exists(index) ? Files.readAllLines(index) : List.of(),
                "no client used it: it counts as used when it was stored");
    }

    @Test
    void aCancelledJobStopsAtItsNextRead() throws InterruptedException {
        byte[] layer = TestData.bytes(2 * FIRST_PART, 9);
        HeldBody held = busyboxWithHeldLayer(layer);
        try {
            HttpResponse<byte[]> started = start("{\"images\": [\"busybox\", \"library/busybox:latest\"]}");
            String location = started.headers().firstValue("Location").orElseThrow();
            // The config is 2 bytes; the layer's first part is what the hub sends before it holds.
            Poll.until(() -> json(client.get(location)).path("bytes").path("done").asLong() > 1000,
                    "the layer's first part arrives");
            HttpResponse<byte[]> cancel = client.delete(location);
            assertEquals(202, cancel.statusCode(), new String(cancel.body()));
            held.release();
            AtomicReference<JsonNode> job = new AtomicReference<>();
            Poll.until(() -> {
                job.set(json(client.get(location)));
                return job.get().path("state").asText().equals("cancelled");
            }, "the job is cancelled");
            assertEquals("cancelled", job.get().path("images").get(0).path("state").asText());
            assertEquals("cancelled", job.get().path("images").get(1).path("state").asText(), "never started");
            assertEquals(0, job.get().path("images").get(1).path("layers").path("total").asInt());
            assertApiError(client.delete(location), 409, "CONFLICT");
        } finally {
            held.release();
        }
    }

    @Test
    void anUnknownImageFailsAloneWithAClearMessage() throws InterruptedException {
        multiArchBusybox();
        JsonNode job = warm("{\"images\": [\"busybox:9.99\", \"busybox:1.36\"]}");
        assertEquals("failed", job.path("state").asText(), job.toString());
        JsonNode unknown = job.path("images").get(0);
        assertEquals("failed", unknown.path("state").asText());
        assertEquals("manifest 9.99 is not in library/busybox on docker.io",
                unknown.path("error").asText());
        assertEquals("done", job.path("images").get(1).path("state").asText(), "the other image is cached");
    }

    @Test
    void referencesNoUpstreamServesAreRefusedBeforeAJobStarts() {
        assertTrue(assertApiError(start("{\"images\": [\"quay.io/org/app:1\"]}"), 400, "BAD_REQUEST")
                .contains("berth mirrors no registry named quay.io; it mirrors docker.io"));
        assertTrue(assertApiError(start("{\"images\": [\"team/app:1\"]}"), 400, "BAD_REQUEST")
                .contains("team/app is private"));
        assertTrue(assertApiError(start("{\"images\": [\"Busybox\"]}"), 400, "BAD_REQUEST")
                .contains("not an image name: Busybox"));
        assertApiError(start("{\"images\": []}"), 400, "BAD_REQUEST");
        assertApiError(start("{\"images\": [\"busybox\"], \"platform\": \"linux\"}"), 400, "BAD_REQUEST");
        assertApiError(start("{\"image\": \"busybox\"}"), 400, "BAD_REQUEST");
        assertApiError(start("not json"), 400, "BAD_REQUEST");
        assertApiError(client.get("/api/v1/warm-jobs/0123456789abcdef"), 404, "NOT_FOUND");
        assertEquals(200, client.get("/api/v1/warm-jobs").statusCode());
    }
}
