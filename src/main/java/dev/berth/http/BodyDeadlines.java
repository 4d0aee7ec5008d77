package dev.berth.http;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reads every request body under one {@link BodyPace} and cuts those that fall behind it, and cuts a write of a
 * streamed response that waits for the client longer than the timeout, so that a client sending a byte now and then, or inProgress
 * nothing, holds neither a request place nor a thread for long. One thread looks at the reads and writes in progress
 * a few times within the timeout; each costs only its entry in that set.
 */
public final class BodyDeadlines implements Filter, AutoCloseable {
    /** A read or write in progress that can be cut once its deadline has passed. */
    interface Cuttable {
        /** Cuts the read or write in progress if its deadline has passed by {@code now} ({@link System#nanoTime()}). */
        void cutIfLate(long now);
    }

    private final BodyPace pace;
    private final Set<Cuttable> inProgress = ConcurrentHashMap.newKeySet();
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
        // For the bodies berth streams (BlobBody): Helidon's own stream filter would change how every answer is sent.
        req.context().register(this);
        chain.proceed();
    }

    /**
     * {@code out}, the response body {@code req} streams, each write cut when it waits for the client past the
     * timeout: a client that reads nothing would otherwise hold its request place for as long as it keeps the socket.
     */
    static OutputStream paced(ServerRequest req, OutputStream out) {
        return req.context().get(BodyDeadlines.class)
                .<OutputStream>map(deadlines -> new PacedResponse(out, deadlines.pace.timeout().toNanos(), deadlines))
                .orElse(out);
    }

    void watch(Cuttable io) {
        inProgress.add(io);
    }

    void unwatch(Cuttable io) {
        inProgress.remove(io);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Cuttable io : inProgress) {
            io.cutIfLate(now);
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
