package dev.berth.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.MediaTypes;
import dev.berth.support.MockHub;
import dev.berth.support.Poll;
import dev.berth.support.Scrape;
import dev.berth.support.TestData;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Through the server, whose scheduled budget rounds come a minute apart: pulls that store more than the budget between
 * two of them get a round within seconds.
 */
class EarlyBudgetRoundTest extends MirrorTestBase {
    private static final byte[] BIG_CONFIG = TestData.utf8("{\"big\":true}");
    private static final byte[] BIG_LAYER = TestData.bytes(9000, 1);
    /** Room for the big image's blobs, so that only the small image's pass the budget. */
    private static final long MAX_BYTES = BIG_CONFIG.length + BIG_LAYER.length + 10;
    /** Well within the minute to the first scheduled round. */
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    @Override
    protected String mirrorYaml() {
        return super.mirrorYaml() + "cache:\n  max-bytes: " + MAX_BYTES + "\n";
    }

    @Test
    void pullsPastTheBudgetEvictTheLeastRecentlyPulledWithinSeconds() throws InterruptedException {
        MockHub.Image big = hub.image("library/big", "latest", BIG_CONFIG, BIG_LAYER);
        MockHub.Image small = hub.image("library/small", "latest", TestData.utf8("{\"small\":true}"),
                TestData.bytes(1000, 2));
        pull("big", big);
        clock.advance(Duration.ofMinutes(1));
        pull("small", small);

        Poll.until(() -> Scrape.of(client).value("berth_cache_evicted_blobs_total", Map.of()) > 0,
                "a budget round that evicts", DEADLINE);
        Scrape evicted = Scrape.of(client);
        assertTrue(evicted.value("berth_cache_mirrored_bytes", Map.of()) <= MAX_BYTES,
                "the gauge shows what the round left, within the budget: " + evicted);

        // The small image first: pulling the big one again passes the budget again.
        assertBlobs("small", small);
        assertEquals(1, hub.served("GET", MockHub.blobPath("library/small", small.layers().getFirst())),
                "the image pulled last stayed");
        assertBlobs("big", big);
        assertEquals(2, hub.served("GET", MockHub.blobPath("library/big", BIG_LAYER)),
                "the least recently pulled layer was evicted and comes from the upstream again");
    }

    private void pull(String name, MockHub.Image image) {
        assertManifest(client.get("/v2/" + name + "/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlobs(name, image);
    }
}
