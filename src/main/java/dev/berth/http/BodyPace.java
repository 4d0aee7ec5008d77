package dev.berth.http;

import java.time.Duration;

/**
 * How long a request body may keep berth waiting, after Apache's mod_reqtimeout: no single wait longer than
 * {@code timeout}, and all the waiting for one body no longer than {@code timeout} plus a second for each
 * {@code minRate} bytes received ({@code minRate} 0: no rate rule). Only time spent waiting for the client counts,
 * never berth's own work between reads, so a slow store does not cut a client that keeps sending.
 */
record BodyPace(Duration timeout, long minRate) {
    private static final long NANOS = 1_000_000_000L;

    /**
     * How many nanoseconds the next read may wait, having waited {@code waitedNanos} in all for {@code received}
     * bytes; 0 or less: the body is too slow and is cut.
     */
    long allowance(long waitedNanos, long received) {
        long timeoutNanos = timeout.toNanos();
        if (minRate == 0) {
            return timeoutNanos;
        }
        long earned = received > Long.MAX_VALUE / NANOS ? Long.MAX_VALUE : received * NANOS / minRate;
        long budget = earned > Long.MAX_VALUE - timeoutNanos ? Long.MAX_VALUE : timeoutNanos + earned;
        return Math.min(timeoutNanos, budget - waitedNanos);
    }

    /** What a client whose body was cut is told. */
    String rule() {
        return minRate == 0 ? "a request body must not pause for " + timeout.toSeconds() + " s"
                : "a request body must not pause for " + timeout.toSeconds() + " s, and must arrive at "
                + minRate + " bytes a second or more after its first " + timeout.toSeconds() + " s";
    }
}
