package dev.berth.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * Slows down password guessing: after a few failed logins from one client address, each further attempt from it is
 * answered only after a delay that doubles up to a cap. A success clears the count; so does a quiet quarter hour.
 */
public final class LoginThrottle {
    private static final int FREE_FAILURES = 5;
    private static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    private static final Duration MAX_DELAY = Duration.ofSeconds(16);

    private final Cache<String, Integer> failures = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(15)).maximumSize(100_000).build();

    /** How long to hold an attempt from {@code client} before checking it. */
    public Duration delayFor(String client) {
        Integer count = failures.getIfPresent(client);
        if (count == null || count < FREE_FAILURES) {
            return Duration.ZERO;
        }
        int doublings = Math.min(count - FREE_FAILURES, 4);
        Duration delay = FIRST_DELAY.multipliedBy(1L << doublings);
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }

    public void failed(String client) {
        failures.asMap().merge(client, 1, Integer::sum);
    }

    public void succeeded(String client) {
        failures.invalidate(client);
    }
}
