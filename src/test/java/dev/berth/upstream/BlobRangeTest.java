package dev.berth.upstream;

import static dev.berth.upstream.Fixtures.BUSYBOX;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.oci.Digest;
import dev.berth.support.MockHub;
import dev.berth.support.MutableClock;
import dev.berth.support.TestData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** GET of a blob's byte range: the Range sent (to a CDN too), a few at once at most, an upstream that ignores it. */
class BlobRangeTest {
    private static final byte[] BLOB = TestData.bytes(1000, 41);
    private static final Digest DIGEST = Digest.sha256(BLOB);

    @StartStop
    public final MockWebServer registry = new MockWebServer();
    @StartStop
    public final MockWebServer cdn = new MockWebServer();

    @Test
    void aRedirectedRangeKeepsItsRangeHeader() throws Exception {
        registry.enqueue(new MockResponse.Builder().code(307).addHeader("Location", cdn.url("/blob")).build());
        cdn.enqueue(tail(990, 999));

        try (UpstreamBlob range = Fixtures.client(registry).openBlobRange(BUSYBOX, DIGEST, 990, 10, BLOB.length)
                .orElseThrow()) {
            assertArrayEquals(Arrays.copyOfRange(BLOB, 990, 1000), range.content().readAllBytes());
        }
        assertEquals("bytes=990-999", registry.takeRequest().getHeaders().get("Range"));
        assertEquals("bytes=990-999", cdn.takeRequest().getHeaders().get("Range"));
    }

    @Test
    void atMostSixteenRangeFetchesRunAtOnceAndAClosedOneGivesItsPlaceBack() throws Exception {
        UpstreamClient client = Fixtures.client(registry);
        List<UpstreamBlob> open = new ArrayList<>();
        for (int i = 0; i < RangePuller.MAX_IN_FLIGHT + 1; i++) {
            registry.enqueue(tail(990, 999));
        }
        try {
            for (int i = 0; i < RangePuller.MAX_IN_FLIGHT; i++) {
                open.add(client.openBlobRange(BUSYBOX, DIGEST, 990, 10, BLOB.length).orElseThrow());
            }
            assertTrue(client.openBlobRange(BUSYBOX, DIGEST, 990, 10, BLOB.length).isEmpty(), "one too many");
            assertEquals(RangePuller.MAX_IN_FLIGHT, registry.getRequestCount(), "and not asked");

            open.removeFirst().close();
            try (UpstreamBlob next = client.openBlobRange(BUSYBOX, DIGEST, 990, 10, BLOB.length).orElseThrow()) {
                assertArrayEquals(Arrays.copyOfRange(BLOB, 990, 1000), next.content().readAllBytes());
            }
        } finally {
            for (UpstreamBlob blob : open) {
                blob.close();
            }
        }
    }

    @Test
    void anUpstreamThatAnswersARangeWithTheWholeBlobIsNotAskedForRangesForAWhile() throws Exception {
        MutableClock clock = new MutableClock(Fixtures.START);
        UpstreamClient client = Fixtures.client(Fixtures.config(registry), clock);
        registry.enqueue(new MockResponse.Builder().body(new okio.Buffer().write(BLOB)).build());
        registry.enqueue(tail(990, 999));

        assertTrue(client.openBlobRange(BUSYBOX, DIGEST, 990, 10, BLOB.length).isEmpty());
        assertTrue(client.openBlobRange(BUSYBOX, DIGEST, 990, 10, BLOB.length).isEmpty());
        assertEquals(1, registry.getRequestCount());

        clock.advance(RangePuller.IGNORED_FOR.plusSeconds(1));
        try (UpstreamBlob range = client.openBlobRange(BUSYBOX, DIGEST, 990, 10, BLOB.length).orElseThrow()) {
            assertArrayEquals(Arrays.copyOfRange(BLOB, 990, 1000), range.content().readAllBytes());
        }
        assertEquals(2, registry.getRequestCount());
    }

    private static MockResponse tail(int start, int end) {
        return MockHub.rangeAnswer(Arrays.copyOfRange(BLOB, start, end + 1), start, end, BLOB.length).build();
    }
}
