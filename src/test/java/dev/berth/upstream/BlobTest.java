package dev.berth.upstream;

import static dev.berth.upstream.Fixtures.BUSYBOX;
import static dev.berth.upstream.Fixtures.bearerChallenge;
import static dev.berth.support.MockHub.token;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.berth.oci.Digest;
import java.nio.charset.StandardCharsets;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** Blob GET: one request, streamed, and redirects to a CDN without the registry's Authorization. */
class BlobTest {
    private static final byte[] LAYER = "layer bytes, as a CDN would serve them".getBytes(StandardCharsets.UTF_8);
    private static final Digest LAYER_DIGEST = Digest.sha256(LAYER);

    @StartStop
    public final MockWebServer registry = new MockWebServer();
    @StartStop
    public final MockWebServer auth = new MockWebServer();
    @StartStop
    public final MockWebServer cdn = new MockWebServer();

    @Test
    void redirectToCdnStreamsTheBytesWithoutAuthorization() throws Exception {
        registry.enqueue(bearerChallenge(auth));
        registry.enqueue(new MockResponse.Builder().code(307)
                .addHeader("Location", cdn.url("/sha256/" + LAYER_DIGEST.hex() + "?signature=abc")).build());
        auth.enqueue(token("tok-1", 300));
        cdn.enqueue(new MockResponse.Builder().body(new okio.Buffer().write(LAYER)).build());

        try (UpstreamBlob blob = Fixtures.client(registry).openBlob(BUSYBOX, LAYER_DIGEST).orElseThrow()) {
            assertEquals(LAYER.length, blob.length());
            assertArrayEquals(LAYER, blob.content().readAllBytes());
        }

        RecordedRequest challenged = registry.takeRequest();
        assertEquals("GET", challenged.getMethod(), "no HEAD before the GET");
        assertEquals("/v2/library/busybox/blobs/" + LAYER_DIGEST, challenged.getUrl().encodedPath());
        assertEquals("Bearer tok-1", registry.takeRequest().getHeaders().get("Authorization"));
        assertNull(cdn.takeRequest().getHeaders().get("Authorization"), "the CDN must not see the registry's token");
        assertEquals(2, registry.getRequestCount());
        assertEquals(1, cdn.getRequestCount());
    }

    @Test
    void cachedTokenDoesNotFollowTheRedirectEither() throws Exception {
        registry.enqueue(bearerChallenge(auth));
        registry.enqueue(Fixtures.manifest());
        registry.enqueue(new MockResponse.Builder().code(307).addHeader("Location", cdn.url("/blob")).build());
        auth.enqueue(token("tok-1", 300));
        cdn.enqueue(new MockResponse.Builder().body(new okio.Buffer().write(LAYER)).build());
        UpstreamClient client = Fixtures.client(registry);
        client.getManifest(BUSYBOX, Fixtures.LATEST, 4096);

        try (UpstreamBlob blob = client.openBlob(BUSYBOX, LAYER_DIGEST).orElseThrow()) {
            assertArrayEquals(LAYER, blob.content().readAllBytes());
        }

        registry.takeRequest();
        registry.takeRequest();
        assertEquals("Bearer tok-1", registry.takeRequest().getHeaders().get("Authorization"));
        assertNull(cdn.takeRequest().getHeaders().get("Authorization"));
    }

    @Test
    void unknownLengthIsMinusOne() throws Exception {
        registry.enqueue(new MockResponse.Builder().chunkedBody(new okio.Buffer().write(LAYER), 8).build());
        try (UpstreamBlob blob = Fixtures.client(registry).openBlob(BUSYBOX, LAYER_DIGEST).orElseThrow()) {
            assertEquals(-1, blob.length());
            assertArrayEquals(LAYER, blob.content().readAllBytes());
        }
    }
}
