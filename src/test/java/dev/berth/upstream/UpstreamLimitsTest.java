package dev.berth.upstream;

import static dev.berth.upstream.Fixtures.BUSYBOX;
import static dev.berth.upstream.Fixtures.LATEST;
import static dev.berth.upstream.Fixtures.bearerChallenge;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.GzipBomb;
import dev.berth.support.MutableClock;
import dev.berth.upstream.UpstreamClient.Patience;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/**
 * What the client reads of an upstream, and for how long: documents up to max-document-size counted as decoded, and a
 * request a cached copy stands in for given up after revalidate-timeout, its token flow included.
 */
class UpstreamLimitsTest {
    /** Fixtures' max-document-size. */
    private static final int LIMIT = 64 * 1024;
    /** Fixtures' revalidate-timeout. */
    private static final Duration REVALIDATE = Duration.ofSeconds(1);

    @StartStop
    public final MockWebServer registry = new MockWebServer();
    @StartStop
    public final MockWebServer auth = new MockWebServer();

    @Test
    void aGzipTagListIsCountedAsItInflates() {
        registry.enqueue(new MockResponse.Builder().addHeader("Content-Encoding", "gzip")
                .body(GzipBomb.of("{\"tags\":[\"", 'a', 64L * 1024 * 1024)).build());

        UpstreamException e = assertThrows(UpstreamException.class, () -> client().tags(BUSYBOX, Patience.FULL));

        assertTrue(e.oversized(), e::getMessage);
        assertEquals("upstream docker.io: GET /v2/library/busybox/tags/list: tag list is larger than " + LIMIT
                + " bytes (mirror.upstreams[].max-document-size)", e.getMessage());
    }

    @Test
    void thePagesOfATagListAreOneDocument() {
        String half = tagsOf(LIMIT / 2 + 100);
        registry.enqueue(new MockResponse.Builder()
                .addHeader("Link", "</v2/library/busybox/tags/list?last=x&n=2>; rel=\"next\"").body(half).build());
        registry.enqueue(new MockResponse.Builder().body(half).build());

        UpstreamException e = assertThrows(UpstreamException.class, () -> client().tags(BUSYBOX, Patience.FULL));

        assertTrue(e.oversized() && e.getMessage().contains("tags/list"), e::getMessage);
        assertEquals(2, registry.getRequestCount(), "each page alone is under the limit");
    }

    @Test
    void aTokenAnswerOverTheLimitIsRefused() {
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(new MockResponse.Builder().body("{\"token\":\"" + "t".repeat(LIMIT) + "\"}").build());

        UpstreamException e = assertThrows(UpstreamException.class,
                () -> client().headManifest(BUSYBOX, LATEST, Patience.FULL));

        assertTrue(e.oversized(), e::getMessage);
        assertTrue(e.getMessage().startsWith("token service " + auth.getHostName() + ": token answer is larger than "
                + LIMIT + " bytes"), e.getMessage());
        assertFalse(e.getMessage().contains("ttttt"), "the answer, which may hold a token, is not quoted");
    }

    @Test
    void aBriefHeadOfAFrozenRegistryGivesUpAfterTheRevalidateTimeout() {
        registry.enqueue(frozen());

        UpstreamException e = assertFrozenWithin(() -> client().headManifest(BUSYBOX, LATEST, Patience.BRIEF));

        assertEquals(0, e.status(), "no answer");
        assertTrue(e.getMessage().contains("gave no answer within 1000 ms (mirror.upstreams[].revalidate-timeout)"),
                e::getMessage);
    }

    @Test
    void aBriefTagListOfAFrozenRegistryGivesUpAfterTheRevalidateTimeout() {
        registry.enqueue(frozen());

        assertFrozenWithin(() -> client().tags(BUSYBOX, Patience.BRIEF));
    }

    @Test
    void theTokenFlowOfABriefRequestKeepsToItsDeadline() {
        registry.enqueue(bearerChallenge(auth));
        auth.enqueue(frozen());

        assertFrozenWithin(() -> client().headManifest(BUSYBOX, LATEST, Patience.BRIEF));

        assertEquals(1, auth.getRequestCount(), "the token service was asked, and not waited for");
    }

    /** The call fails within twice the revalidate-timeout, and not before it; far below the read timeout (5 s). */
    private static UpstreamException assertFrozenWithin(Runnable call) {
        long start = System.nanoTime();
        UpstreamException e = assertTimeoutPreemptively(Duration.ofSeconds(4),
                () -> assertThrows(UpstreamException.class, call::run));
        long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(took >= REVALIDATE.toMillis() - 50 && took < 2 * REVALIDATE.toMillis(), "gave up after " + took);
        return e;
    }

    private UpstreamClient client() {
        return Fixtures.client(Fixtures.config(registry), new MutableClock(Fixtures.START));
    }

    private static MockResponse frozen() {
        return new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build();
    }

    /** A tag list of about {@code bytes} bytes. */
    private static String tagsOf(int bytes) {
        StringBuilder json = new StringBuilder("{\"tags\":[\"t0\"");
        for (int i = 1; json.length() < bytes; i++) {
            json.append(",\"t").append(i).append('"');
        }
        return json.append("]}").toString();
    }
}
