package dev.berth.it;

import static dev.berth.support.MockHub.blobPath;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.oci.Digest;
import dev.berth.support.MockHub;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.S3Server;
import dev.berth.support.Scrape;
import dev.berth.support.TestData;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code storage.s3.local-cache.max-bytes}: a mirrored blob stored into the bucket is served again from local disk. */
class HotTierPullTest {
    private static final String BUSYBOX = "library/busybox";

    @StartStop
    public final MockWebServer hubServer = new MockWebServer();
    private final MockHub hub = new MockHub(hubServer, null, MockHub.DOCKER_HUB_SERVICE);
    @TempDir
    Path work;

    @Test
    void aWarmPullComesFromTheTierNotTheBucket() throws Exception {
        byte[] layer = TestData.bytes(600_000, 7);
        hub.blob(BUSYBOX, layer);
        Digest digest = Digest.sha256(layer);
        String key = "blobs/sha256/" + digest.hex().substring(0, 2) + "/" + digest.hex() + "/data";
        try (S3Server s3 = S3Server.start(work.resolve("s3"));
             RunningBerth berth = startBerth(s3)) {
            HttpResponse<byte[]> cold = berth.client().get(blobPath(BUSYBOX, layer));
            assertEquals(200, cold.statusCode());
            assertArrayEquals(layer, cold.body());
            Path entry = work.resolve("local/hot-tier/sha256-" + digest.hex());
            Poll.until(() -> Files.exists(entry), "the fill to be stored in the bucket and the tier");
            assertArrayEquals(layer, Files.readAllBytes(entry));

            // Other bytes of the same size in the bucket: only a read from the tier still gets the blob's.
            s3.put("berth", key, TestData.bytes(layer.length, 8));
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> warm = berth.client().get(blobPath(BUSYBOX, layer));
                assertEquals(200, warm.statusCode());
                assertArrayEquals(layer, warm.body(), "served from local disk, not from the bucket");
            }
            assertEquals(1, hub.served("GET", blobPath(BUSYBOX, layer)));
            Scrape metrics = Scrape.of(berth.client());
            assertEquals(2, metrics.value("berth_hot_tier_reads_total", Map.of("result", "hit")), metrics::toString);
            assertEquals(0, metrics.value("berth_hot_tier_reads_total", Map.of("result", "miss")),
                    "the cold read came from the upstream, the warm ones from the tier: no GET of the bucket");
            assertEquals(layer.length, metrics.value("berth_hot_tier_bytes", Map.of()));
        }
    }

    private RunningBerth startBerth(S3Server s3) {
        s3.createBucket("berth");
        return RunningBerth.startWithStorage(
                s3.storageYaml(work.resolve("local"), "berth", ", local-cache: {max-bytes: 10MiB}"),
                "mirror:\n  upstreams:\n    - {registry: docker.io, url: '" + hub.url() + "', default: true}\n");
    }
}
