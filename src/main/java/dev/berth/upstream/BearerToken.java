package dev.berth.upstream;

import java.time.Duration;
import java.time.Instant;

/** A registry token and the instant from which it is no longer used. */
record BearerToken(String value, Instant staleAt) {
    /** Refresh this much before expiry (at most 10 s, half the lifetime for short tokens) so no request races it. */
    private static final Duration MAX_MARGIN = Duration.ofSeconds(10);

    /** A token received at {@code receivedAt} that the service said expires after {@code lifetime}. */
    static BearerToken of(String value, Instant receivedAt, Duration lifetime) {
        Duration margin = lifetime.dividedBy(2).compareTo(MAX_MARGIN) < 0 ? lifetime.dividedBy(2) : MAX_MARGIN;
        return new BearerToken(value, receivedAt.plus(lifetime).minus(margin));
    }

    boolean isFresh(Instant now) {
        return now.isBefore(staleAt);
    }

    String authorization() {
        return "Bearer " + value;
    }

    @Override
    public String toString() {
        // Never print the token itself.
        return "BearerToken[staleAt=" + staleAt + "]";
    }
}
