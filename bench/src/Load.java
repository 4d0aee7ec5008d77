import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/** Runs clients on virtual threads, each on its own keep-alive connection, all released at the same moment. */
final class Load {
    private Load() {
    }

    /** What one client does once; {@code iteration} counts that client's operations from 0. */
    interface Op {
        void run(Http1 http, int client, long iteration) throws Exception;
    }

    /** Operations done and the seconds they took. */
    record Rate(long ops, double seconds) {
        double perSecond() {
            return ops / seconds;
        }
    }

    /** Each client repeats {@code op} until {@code duration} has passed (closed loop: a new request as one ends). */
    static Rate closedLoop(URI base, int clients, Duration duration, Op op) throws InterruptedException {
        AtomicLong ops = new AtomicLong();
        double seconds = run(List.of(base), clients, deadline -> (http, client, ignored) -> {
            long done = 0;
            long end = deadline + duration.toNanos();
            while (System.nanoTime() < end) {
                op.run(http, client, done++);
            }
            ops.addAndGet(done);
        });
        return new Rate(ops.get(), seconds);
    }

    /** Each client does {@code op} once; the seconds from the common start until the last client finished. */
    static double together(URI base, int clients, Op op) throws InterruptedException {
        return together(List.of(base), clients, op);
    }

    /** As {@link #together(URI, int, Op)}, client {@code i} connected to {@code bases.get(i % bases.size())}. */
    static double together(List<URI> bases, int clients, Op op) throws InterruptedException {
        return run(bases, clients, start -> op);
    }

    /** Starts the clients, releases them together, and waits for all; the first failure fails the run. */
    private static double run(List<URI> bases, int clients, LongFunction<Op> opStartingAt)
            throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        long[] finished = new long[clients];
        long[] start = new long[1];
        List<Future<?>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                int client = i;
                futures.add(threads.submit(() -> {
                    try (Http1 http = new Http1(bases.get(client % bases.size()))) {
                        ready.countDown();
                        go.await();
                        opStartingAt.apply(start[0]).run(http, client, 0);
                        finished[client] = System.nanoTime();
                    }
                    return null;
                }));
            }
            ready.await();
            start[0] = System.nanoTime();
            go.countDown();
            for (Future<?> future : futures) {
                Bench.await(future);
            }
        }
        return (Arrays.stream(finished).max().orElseThrow() - start[0]) / 1e9;
    }
}
