package dev.berth.upstream;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;

/** When a bounded upstream exchange ends, carried as a request tag to the calls made on its behalf (the token flow). */
record Deadline(long nanoTime) {
    static Deadline after(Duration bound) {
        return new Deadline(System.nanoTime() + bound.toNanos());
    }

    /** Bounds {@code call} by what is left; fails when nothing is. */
    Call bound(Call call) throws InterruptedIOException {
        call.timeout().timeout(left(), TimeUnit.NANOSECONDS);
        return call;
    }

    /** Nanoseconds left; fails when none are. */
    long left() throws InterruptedIOException {
        long left = nanoTime - System.nanoTime();
        if (left <= 0) {
            throw new InterruptedIOException("timeout");
        }
        return left;
    }
}
