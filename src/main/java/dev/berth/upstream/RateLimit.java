package dev.berth.upstream;

import java.util.OptionalLong;
import okhttp3.Headers;

/**
 * The latest rate-limit headers an upstream sent, e.g. Docker Hub's {@code ratelimit-remaining: 98;w=21600}. A
 * response without them leaves the previous values, since Hub only sends them on manifest requests.
 */
final class RateLimit {
    private volatile OptionalLong remaining = OptionalLong.empty();
    private volatile OptionalLong limit = OptionalLong.empty();

    void record(Headers headers) {
        OptionalLong newRemaining = parse(headers.get("ratelimit-remaining"));
        if (newRemaining.isPresent()) {
            remaining = newRemaining;
        }
        OptionalLong newLimit = parse(headers.get("ratelimit-limit"));
        if (newLimit.isPresent()) {
            limit = newLimit;
        }
    }

    OptionalLong remaining() {
        return remaining;
    }

    OptionalLong limit() {
        return limit;
    }

    /** The count before any {@code ;w=...} window parameter; empty when absent or malformed. */
    static OptionalLong parse(String value) {
        if (value == null) {
            return OptionalLong.empty();
        }
        int semicolon = value.indexOf(';');
        String count = (semicolon < 0 ? value : value.substring(0, semicolon)).trim();
        try {
            return OptionalLong.of(Long.parseLong(count));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
