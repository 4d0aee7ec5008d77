package dev.berth.upstream;

import static dev.berth.upstream.Fixtures.BUSYBOX;
import static dev.berth.upstream.Fixtures.LATEST;
import static dev.berth.upstream.Fixtures.MANIFEST_DIGEST;
import static dev.berth.upstream.Fixtures.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.MutableClock;
import dev.berth.upstream.UpstreamClient.Patience;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** How upstream failures come out: empty for 404, an UpstreamException with status and Retry-After otherwise. */
class UpstreamErrorsTest {
    @StartStop
    public final MockWebServer registry = new MockWebServer();

    @Test
    void tooManyRequestsCarriesRetryAfterAndRecordsTheRateLimit() {
        registry.enqueue(new MockResponse.Builder().code(429)
                .addHeader("Retry-After", "7")
                .addHeader("ratelimit-limit", "100;w=21600")
                .addHeader("ratelimit-remaining", "0;w=21600")
                .build());
        UpstreamClient client = Fixtures.client(registry);

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.getManifest(BUSYBOX, LATEST, 4096));
        assertEquals(429, e.status());
        assertEquals(Optional.of(Duration.ofSeconds(7)), e.retryAfter());
        assertEquals(OptionalLong.of(0), client.rateLimitRemaining());
        assertEquals(OptionalLong.of(100), client.rateLimitLimit());
    }

    @Test
    void successfulResponsesUpdateTheRateLimit() {
        registry.enqueue(Fixtures.manifest());
        UpstreamClient client = Fixtures.client(registry);
        assertEquals(OptionalLong.empty(), client.rateLimitRemaining());

        client.headManifest(BUSYBOX, LATEST, Patience.FULL);
        assertEquals(OptionalLong.of(98), client.rateLimitRemaining());
    }

    @Test
    void serverErrorKeepsItsStatus() {
        registry.enqueue(status(503));
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> Fixtures.client(registry).openBlob(BUSYBOX, MANIFEST_DIGEST));
        assertEquals(503, e.status());
        assertTrue(e.retryAfter().isEmpty());
    }

    @Test
    void otherClientErrorsKeepTheirStatus() {
        registry.enqueue(status(403));
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> Fixtures.client(registry).tags(BUSYBOX, Patience.FULL));
        assertEquals(403, e.status());
    }

    @Test
    void notFoundIsEmptyForEveryEndpoint() {
        for (int i = 0; i < 4; i++) {
            registry.enqueue(status(404));
        }
        UpstreamClient client = Fixtures.client(registry);
        assertTrue(client.headManifest(BUSYBOX, LATEST, Patience.FULL).isEmpty());
        assertTrue(client.getManifest(BUSYBOX, LATEST, 4096).isEmpty());
        assertTrue(client.openBlob(BUSYBOX, MANIFEST_DIGEST).isEmpty());
        assertTrue(client.tags(BUSYBOX, Patience.FULL).isEmpty());
    }

    @Test
    void refusedConnectionIsStatusZero() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        UpstreamClient client = Fixtures.client(Fixtures.config("http://127.0.0.1:" + closedPort + "/", null, null,
                Duration.ofSeconds(5)), new MutableClock(Fixtures.START));

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.getManifest(BUSYBOX, LATEST, 4096));
        assertEquals(0, e.status());
    }

    @Test
    void readTimeoutIsStatusZero() {
        registry.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        UpstreamClient client = Fixtures.client(Fixtures.config(registry, null, null, Duration.ofMillis(200)),
                new MutableClock(Fixtures.START));

        UpstreamException e = assertThrows(UpstreamException.class, () -> client.getManifest(BUSYBOX, LATEST, 4096));
        assertEquals(0, e.status());
    }
}
