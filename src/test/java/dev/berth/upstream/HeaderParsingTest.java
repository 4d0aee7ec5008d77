package dev.berth.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The small header grammars: rate limits and Retry-After. */
class HeaderParsingTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void rateLimitIgnoresTheWindow() {
        assertEquals(OptionalLong.of(98), RateLimit.parse("98;w=21600"));
        assertEquals(OptionalLong.of(100), RateLimit.parse(" 100 "));
        assertEquals(OptionalLong.empty(), RateLimit.parse("lots"));
        assertEquals(OptionalLong.empty(), RateLimit.parse(null));
    }

    @Test
    void retryAfterTakesSecondsOrADate() {
        assertEquals(Duration.ofSeconds(7), RetryAfter.parse("7", NOW));
        assertEquals(Duration.ofSeconds(90), RetryAfter.parse("Thu, 01 Jan 2026 00:01:30 GMT", NOW));
        assertEquals(Duration.ZERO, RetryAfter.parse("Wed, 31 Dec 2025 23:00:00 GMT", NOW));
        assertNull(RetryAfter.parse("soon", NOW));
        assertNull(RetryAfter.parse("-3", NOW));
    }
}
