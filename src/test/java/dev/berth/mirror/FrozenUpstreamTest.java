package dev.berth.mirror;

import static dev.berth.support.MockHub.manifestPath;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.MediaTypes;
import dev.berth.support.MockHub;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;

/**
 * An upstream that accepts connections and never answers (as one stopped with SIGSTOP), while berth holds a copy:
 * the first revalidation waits the short revalidate-timeout, not the read timeout, and is served stale; from then on
 * the upstream counts as failing for every cached tag and tag list, which are served at once without asking it, until
 * the backoff has passed and one request probes it. Cached blobs never ask it at all.
 */
class FrozenUpstreamTest extends MirrorTestBase {
    private static final Duration REVALIDATE = Duration.ofSeconds(2);
    /** Long, so that waiting for it cannot pass for waiting for the revalidate-timeout. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    /** What "at once" allows on a busy machine: far below the revalidate-timeout's wait as well. */
    private static final Duration AT_ONCE = Duration.ofMillis(1500);
    private static final String LATEST = manifestPath(BUSYBOX, "latest");
    private static final String MUSL = manifestPath(BUSYBOX, "musl");

    @Override
    protected Duration readTimeout() {
        return READ_TIMEOUT;
    }

    @Override
    protected String mirrorYaml() {
        return "mirror:\n  upstreams:\n" + upstream("docker.io", hub.url(), true,
                "revalidate-timeout: " + REVALIDATE.toMillis() + "ms, ") + "private:\n  repositories: ['team/*']\n";
    }

    /** A frozen upstream's answer: the request is read, and nothing ever comes back. */
    private static final Supplier<MockResponse> FROZEN = () -> new MockResponse.Builder()
            .onResponseStart(SocketEffect.Stall.INSTANCE).build();

    @Test
    void cachedManifestsTagListsAndBlobsAreServedWithinTheRevalidateTimeoutThenAtOnce() {
        MockHub.Image latest = cache("latest", 1);
        MockHub.Image musl = cache("musl", 2);
        int before = freezePastTheTtl();

        long first = timed(() -> assertManifest(client.get("/v2/busybox/manifests/latest"), latest.manifest(),
                MediaTypes.OCI_MANIFEST));
        assertTrue(first < 2 * REVALIDATE.toMillis(), () -> "the stale tag took " + first + " ms");
        assertTrue(first >= REVALIDATE.toMillis() - 100, () -> "served after " + first + " ms: before berth gave up");

        // The upstream is failing now, for every cached tag and tag list: nothing waits on it.
        long rest = timed(() -> {
            assertManifest(client.get("/v2/busybox/manifests/musl"), musl.manifest(), MediaTypes.OCI_MANIFEST);
            assertManifest(client.get("/v2/busybox/manifests/latest"), latest.manifest(), MediaTypes.OCI_MANIFEST);
            assertTags(client.get("/v2/busybox/tags/list"));
            assertBlobs("busybox", latest);
            assertBlobs("busybox", musl);
        });
        assertTrue(rest < AT_ONCE.toMillis(), () -> "the other cached content took " + rest + " ms");
        assertEquals(List.of("HEAD " + LATEST + " 200"), hubLogSince(before),
                "the frozen upstream was asked once, by the first revalidation; blobs never");

        // Past the backoff, one request probes it, and when it answers the tags are revalidated again.
        hub.recover();
        clock.advance(UpstreamFailures.DEFAULT_RETRY.plusSeconds(1));
        assertManifest(client.get("/v2/busybox/manifests/musl"), musl.manifest(), MediaTypes.OCI_MANIFEST);
        assertManifest(client.get("/v2/busybox/manifests/latest"), latest.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(List.of("HEAD " + LATEST + " 200", "HEAD " + MUSL + " 200", "HEAD " + LATEST + " 200"),
                hubLogSince(before));
    }

    @Test
    void aTagListThatTimesOutServesTheCachedTagsAndMarksTheUpstreamFailingForManifests() {
        MockHub.Image latest = cache("latest", 3);
        MockHub.Image musl = cache("musl", 4);
        int before = freezePastTheTtl();

        long first = timed(() -> assertTags(client.get("/v2/busybox/tags/list")));
        assertTrue(first < 2 * REVALIDATE.toMillis(), () -> "the tag list took " + first + " ms");

        long rest = timed(() -> {
            assertTags(client.get("/v2/busybox/tags/list"));
            assertManifest(client.get("/v2/busybox/manifests/latest"), latest.manifest(), MediaTypes.OCI_MANIFEST);
            assertManifest(client.get("/v2/busybox/manifests/musl"), musl.manifest(), MediaTypes.OCI_MANIFEST);
        });
        assertTrue(rest < AT_ONCE.toMillis(), () -> "the cached tags and manifests took " + rest + " ms");
        assertEquals(List.of("GET /v2/" + BUSYBOX + "/tags/list 200"), hubLogSince(before));
    }

    /** Seeds an image as {@code tag} and pulls it through berth, which caches it. */
    private MockHub.Image cache(String tag, long seed) {
        MockHub.Image image = hub.image(BUSYBOX, tag, seed);
        assertManifest(client.get("/v2/busybox/manifests/" + tag), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlobs("busybox", image);
        return image;
    }

    /** Lets the cached tags go stale and freezes the hub; how many requests it had seen before. */
    private int freezePastTheTtl() {
        clock.advance(TAG_TTL.plusSeconds(1));
        hub.outage(FROZEN);
        return hub.log().size();
    }

    private static void assertTags(HttpResponse<byte[]> r) {
        assertEquals(200, r.statusCode(), () -> new String(r.body()));
        assertEquals("[\"latest\",\"musl\"]", json(r).path("tags").toString());
    }

    private static long timed(Runnable action) {
        long start = System.nanoTime();
        action.run();
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }
}
