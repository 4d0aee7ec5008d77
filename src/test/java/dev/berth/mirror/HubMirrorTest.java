package dev.berth.mirror;

import static dev.berth.support.MockHub.blobPath;
import static dev.berth.support.MockHub.manifestPath;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.MediaTypes;
import dev.berth.support.MockHub;
import java.time.Duration;
import java.util.List;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** Pulling Docker Hub images through berth: the token flow, what is cached, and tag revalidation after the TTL. */
class HubMirrorTest extends MirrorTestBase {
    private static final String LATEST = manifestPath(BUSYBOX, "latest");

    @Test
    void coldPullGoesThroughTheTokenFlowOnceThenTheCacheAnswers() throws Exception {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 1);

        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);

        assertEquals(List.of(
                "HEAD " + LATEST + " 401",
                "HEAD " + LATEST + " 200",
                "GET " + manifestPath(BUSYBOX, image.ref()) + " 200"), hub.log(),
                "a HEAD for the tag, then one GET of the manifest by the digest it named");
        RecordedRequest anonymous = hubServer.takeRequest();
        assertNull(anonymous.getHeaders().get("Authorization"));
        assertTrue(anonymous.getHeaders().get("Accept").contains(MediaTypes.OCI_INDEX), "Accept lists index types");
        assertEquals("Bearer tok-1", hubServer.takeRequest().getHeaders().get("Authorization"));
        assertEquals("Bearer tok-1", hubServer.takeRequest().getHeaders().get("Authorization"));
        RecordedRequest tokenRequest = authServer.takeRequest();
        assertEquals("repository:library/busybox:pull", tokenRequest.getUrl().queryParameter("scope"));
        assertEquals(MockHub.DOCKER_HUB_SERVICE, tokenRequest.getUrl().queryParameter("service"));

        assertBlobs("busybox", image);
        assertEquals(1, hub.served("GET", blobPath(BUSYBOX, image.config())));
        assertEquals(1, hub.served("GET", blobPath(BUSYBOX, image.layers().get(0))));
        assertEquals("Bearer tok-1", hubServer.takeRequest().getHeaders().get("Authorization"),
                "the cached token goes up front: no 401 round trip for the blobs");
        assertEquals(5, hub.requests());
        assertEquals(1, authServer.getRequestCount(), "one token for the whole pull");

        // The same pull again within the tag TTL: not one upstream request.
        clock.advance(TAG_TTL.minusSeconds(1));
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlobs("busybox", image);
        // By digest, long after the tag went stale: digests never change, so still none.
        clock.advance(Duration.ofDays(30));
        assertManifest(client.get("/v2/busybox/manifests/" + image.ref()), image.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlobs("busybox", image);
        assertEquals(5, hub.requests(), () -> "upstream asked again: " + hub.log());
        assertEquals(1, authServer.getRequestCount());
    }

    @Test
    void headManifestIsAnsweredFromTheCacheWithTheSameHeaders() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 2);
        client.get("/v2/busybox/manifests/latest");
        int asked = hub.requests();

        var head = client.head("/v2/busybox/manifests/latest");

        assertEquals(200, head.statusCode());
        assertEquals(MediaTypes.OCI_MANIFEST, head.headers().firstValue("Content-Type").orElse(""));
        assertEquals(image.ref(), head.headers().firstValue("Docker-Content-Digest").orElse(""));
        assertEquals(String.valueOf(image.manifest().length), head.headers().firstValue("Content-Length").orElse(""));
        assertEquals(asked, hub.requests());
    }

    @Test
    void afterTheTagTtlOneHeadRevalidatesAnUnchangedTag() {
        MockHub.Image image = hub.image(BUSYBOX, "latest", 3);
        client.get("/v2/busybox/manifests/latest");
        int before = hub.log().size();

        clock.advance(TAG_TTL.plusSeconds(1));
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);

        assertEquals(List.of("HEAD " + LATEST + " 200"), hubLogSince(before),
                "one HEAD with the cached token, and no GET: the digest is already here");
        // Confirmed again: the next TTL starts now.
        clock.advance(TAG_TTL.minusSeconds(1));
        client.get("/v2/busybox/manifests/latest");
        assertEquals(before + 1, hub.log().size());
        assertEquals(1, authServer.getRequestCount());
    }

    @Test
    void afterTheTagTtlAMovedTagFetchesTheNewManifestOnly() {
        MockHub.Image old = hub.image(BUSYBOX, "latest", 4);
        client.get("/v2/busybox/manifests/latest");
        MockHub.Image moved = hub.image(BUSYBOX, null, 5);
        hub.retag(BUSYBOX, "latest", moved.digest());
        clock.advance(TAG_TTL.minusSeconds(1));
        assertManifest(client.get("/v2/busybox/manifests/latest"), old.manifest(), MediaTypes.OCI_MANIFEST);
        int before = hub.log().size();

        clock.advance(Duration.ofSeconds(2));
        assertManifest(client.get("/v2/busybox/manifests/latest"), moved.manifest(), MediaTypes.OCI_MANIFEST);

        assertEquals(List.of("HEAD " + LATEST + " 200", "GET " + manifestPath(BUSYBOX, moved.ref()) + " 200"),
                hubLogSince(before));
        // The old revision stays available by digest, from the cache.
        assertManifest(client.get("/v2/busybox/manifests/" + old.ref()), old.manifest(), MediaTypes.OCI_MANIFEST);
        assertEquals(before + 2, hub.log().size());
    }

    @Test
    void anExpiredTokenIsReplacedByExactlyOneNewOne() throws Exception {
        hub.tokenLifetime(Duration.ofSeconds(60));
        MockHub.Image image = hub.image(BUSYBOX, "latest", 6);
        client.get("/v2/busybox/manifests/latest");
        assertEquals(1, authServer.getRequestCount());
        int before = hub.log().size();
        for (int i = 0; i < before; i++) {
            hubServer.takeRequest();
        }

        // Past the tag TTL, and so past the token's minute as well.
        clock.advance(TAG_TTL.plusSeconds(1));
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);

        assertEquals(2, authServer.getRequestCount(), "one new token");
        assertEquals(List.of("HEAD " + LATEST + " 401", "HEAD " + LATEST + " 200"), hubLogSince(before));
        assertNull(hubServer.takeRequest().getHeaders().get("Authorization"), "the expired token is not sent");
        assertEquals("Bearer tok-2", hubServer.takeRequest().getHeaders().get("Authorization"));

        // And the new token is used up front from then on.
        assertBlobs("busybox", image);
        assertEquals(2, authServer.getRequestCount());
        assertEquals("Bearer tok-2", hubServer.takeRequest().getHeaders().get("Authorization"));
    }
}
