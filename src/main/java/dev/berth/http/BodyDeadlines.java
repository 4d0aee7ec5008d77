package dev.berth.http;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads every request body under one {@link BodyPace} and cuts those that fall behind it, so that a client sending a
 * byte now and then holds neither a request place nor a thread for long. One thread looks at the reads in progress a
 * few times within the timeout; a read costs only its entry in that set.
 */
public final class BodyDeadlines implements Filter, AutoCloseable {
    private final BodyPace pace;
    private final Set<PacedBody> reading = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("berth-body-deadlines").factory());

    /** Bodies that may pause {@code timeout} at most and must arrive at {@code minRate} bytes a second after it. */
    public BodyDeadlines(Duration timeout, long minRate) {
        this.pace = new BodyPace(timeout, minRate);
        // A cut comes at most a tenth of the timeout (and a second) late.
        long tick = Math.clamp(timeout.toMillis() / 10, 20, 1000);
        sweeper.scheduleWithFixedDelay(this::sweep, tick, tick, TimeUnit.MILLISECONDS);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        // Before any handler asks for the body; the drain of a body no handler read goes through it too.
        boolean http1 = req.prologue().protocolVersion().startsWith("1");
        req.streamFilter(in -> new PacedBody(in, pace, this, http1));
        chain.proceed();
    }

    void watch(PacedBody body) {
        reading.add(body);
    }

    void unwatch(PacedBody body) {
        reading.remove(body);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (PacedBody body : reading) {
            body.cutIfLate(now);
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
