package dev.berth.support;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Waits for a condition that another thread makes true, up to a deadline, instead of sleeping a guessed time. */
public final class Poll {
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private Poll() {
    }

    /** Returns once {@code condition} holds; fails the test naming {@code what} after ten seconds. */
    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        until(condition, what, DEADLINE);
    }

    /** Returns once {@code condition} holds; fails the test naming {@code what} after {@code timeout}. */
    public static void until(BooleanSupplier condition, String what, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }
}
