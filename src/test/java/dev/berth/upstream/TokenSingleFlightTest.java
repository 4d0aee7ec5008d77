package dev.berth.upstream;

import static dev.berth.upstream.Fixtures.BUSYBOX;
import static dev.berth.upstream.Fixtures.LATEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.support.MockHub;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;

/** A burst of cold requests for one scope makes exactly one token request. */
class TokenSingleFlightTest {
    private static final int THREADS = 20;

    @StartStop
    public final MockWebServer registry = new MockWebServer();
    @StartStop
    public final MockWebServer auth = new MockWebServer();

    @Test
    void concurrentChallengesShareOneTokenFetch() throws Exception {
        CountDownLatch allChallenged = new CountDownLatch(THREADS);
        AtomicInteger served = new AtomicInteger();
        registry.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (!"Bearer tok-1".equals(request.getHeaders().get("Authorization"))) {
                    allChallenged.countDown();
                    return Fixtures.bearerChallenge(auth);
                }
                served.incrementAndGet();
                return Fixtures.manifest();
            }
        });
        auth.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                // Hold the token until every thread has been challenged, so all of them need it while it is in flight.
                allChallenged.await(5, TimeUnit.SECONDS);
                return MockHub.token("tok-1", 300);
            }
        });
        UpstreamClient client = Fixtures.client(registry);

        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            for (int i = 0; i < THREADS; i++) {
                results.add(pool.submit(() -> client.getManifest(BUSYBOX, LATEST, 4096).isPresent()));
            }
            for (Future<Boolean> result : results) {
                assertTrue(result.get(10, TimeUnit.SECONDS));
            }
        }

        assertEquals(0, allChallenged.getCount(), "every thread was challenged before the token arrived");
        assertEquals(1, auth.getRequestCount());
        assertEquals(THREADS, served.get());
    }
}
